using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression.Cli;

/// <summary>What <c>--calibration</c> and the flags around it ask for.</summary>
/// <param name="Path">A .npy array, a folder of images, a .csv file or an IDX image file.</param>
/// <param name="Rows">Most samples read, from the first.</param>
/// <param name="LabelsPath">Labels of the samples (.npy or IDX .idx1-ubyte), or null.</param>
/// <param name="Images">How images are resized and normalised.</param>
/// <param name="PreprocessPath">A preprocessing ONNX model run on the images' raw pixels, or null.</param>
internal sealed record CalibrationRequest(string Path, int Rows, string? LabelsPath, ImageOptions Images, string? PreprocessPath);

/// <summary>
/// Reads calibration samples for a model's single input from any of the forms the CLI takes, with the sample shape the
/// model's input declares (symbolic sizes filled from data that carries sizes), and the samples' labels when the data
/// has them (IDX labels beside the images, CSV's first column, or <c>--label</c>).
/// </summary>
internal static class CalibrationData
{
    /// <summary>The samples, and their labels or null.</summary>
    /// <exception cref="InvalidDataException">The data is malformed, empty or does not fit the model's input; the message names the file.</exception>
    public static (CalibrationSet Samples, int[]? Labels) Read(OnnxModel model, CalibrationRequest request)
    {
        var inputs = GraphInputs.Fed(model.Graph);
        if (inputs.Length != 1)
            throw new InvalidDataException($"The model has {inputs.Length} inputs ({string.Join(", ", inputs.Select(i => i.Name))}); --calibration feeds exactly one.");
        var input = inputs[0];
        string path = request.Path;
        var (values, shape, labels) = Directory.Exists(path) ? Images(input, request)
            : path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) ? Npy(input, path, request.Rows)
            : path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? Csv(input, path)
            : Idx(input, path);
        if (values.Length == 0) throw new InvalidDataException($"--calibration '{path}' holds no samples.");
        var all = Samples(input.Name, shape, values, path);
        var samples = all.Count > request.Rows ? all.Take(0, request.Rows) : all;
        if (request.LabelsPath is { } labelsPath) labels = Labels(labelsPath, samples.Count);
        else if (labels is not null && labels.Length < samples.Count)
            throw new InvalidDataException($"--calibration '{path}': {samples.Count} samples but only {labels.Length} labels beside them.");
        return (samples, labels?.Take(samples.Count).ToArray());
    }

    /// <summary>The calibration set, with its NaN/Inf refusal reworded to name the file and the sample.</summary>
    private static CalibrationSet Samples(string inputName, long[] shape, float[] values, string path)
    {
        try { return new CalibrationSet(inputName, shape, values); }
        catch (ArgumentException problem) { throw new InvalidDataException($"--calibration '{path}': {problem.Message.Split(" (Parameter")[0]}"); }
    }

    private static (float[], long[], int[]?) Npy(Onnx.Protobuf.ValueInfoProto input, string path, int rows)
    {
        var (values, shape) = NpyFile.Read(path);
        if (shape.Length < 2)
            throw new InvalidDataException($"NumPy file '{path}' has shape {SampleShapes.Shape(shape)}; calibration data is [N, …]: the samples along the first axis.");
        if (shape[0] == 0) throw new InvalidDataException($"NumPy file '{path}' holds no samples (shape {SampleShapes.Shape(shape)}).");
        var sample = shape[1..];
        long sampleSize = sample.Aggregate(1L, (a, b) => a * b);
        var resolved = SampleShapes.Resolve(input, sample, sampleSize, $"NumPy file '{path}'");
        // Only the rows asked for are kept (the file is read whole).
        long kept = Math.Min(shape[0], rows) * sampleSize;
        return (kept == values.LongLength ? values : values[..(int)kept], resolved, null);
    }

    private static (float[], long[], int[]?) Csv(Onnx.Protobuf.ValueInfoProto input, string path)
    {
        // CSV rows carry no sizes: the declaration must fix them. LabelledData checks every line's count against it.
        var shape = SampleShapes.Resolve(input, dataShape: null, valuesPerSample: null, $"CSV file '{path}'");
        var (samples, labels) = LabelledData.Read(path, input.Name, shape);
        return (samples.Data, shape, labels);
    }

    private static (float[], long[], int[]?) Idx(Onnx.Protobuf.ValueInfoProto input, string path)
    {
        var (pixels, count, rows, columns) = IdxFile.ReadImages(path);
        if (count == 0) throw new InvalidDataException($"IDX file '{path}' holds no images.");
        var shape = SampleShapes.Resolve(input, [rows, columns], (long)rows * columns, $"IDX file '{path}' ({rows}x{columns} images)");
        var labelsPath = path.Replace("images.idx3", "labels.idx1", StringComparison.Ordinal).Replace("images-idx3", "labels-idx1", StringComparison.Ordinal);
        int[]? labels = labelsPath != path && File.Exists(labelsPath) ? IdxFile.ReadLabels(labelsPath) : null;
        return (pixels, shape, labels);
    }

    private static (float[], long[], int[]?) Images(Onnx.Protobuf.ValueInfoProto input, CalibrationRequest request)
    {
        var options = request.Images;
        OnnxModel? preprocess = request.PreprocessPath is { } pre ? OnnxModel.Load(pre) : null;
        // With no --image-size, images take the size the (preprocessing) model declares, when it fixes one.
        var declared = preprocess is not null ? PreprocessingModel.DeclaredImageSize(preprocess, options)
            : PreprocessingModel.SpatialSize(input.Type?.TensorType?.Shape?.Dim.Select(d => d.HasDimValue ? d.DimValue : 0).ToArray(), options);
        var (pixels, imageShape, _) = ImageFolder.Read(request.Path, request.Rows, options, declared);
        if (preprocess is not null)
        {
            var (values, shape) = PreprocessingModel.Apply(request.PreprocessPath!, preprocess, pixels, imageShape);
            return (values, SampleShapes.Resolve(input, shape, shape.Aggregate(1L, (a, b) => a * b), $"The output of --preprocess '{request.PreprocessPath}'"), null);
        }
        ImageFolder.Normalise(pixels, options, imageShape);
        return (pixels, SampleShapes.Resolve(input, imageShape, imageShape.Aggregate(1L, (a, b) => a * b), $"The images in '{request.Path}' ({SampleShapes.Shape(imageShape)} each)"), null);
    }

    /// <summary>Class indices from a .npy array or an IDX label file, at least one per sample, each a whole number ≥ 0.</summary>
    private static int[] Labels(string path, int samples)
    {
        int[] labels;
        if (path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            var (values, shape) = NpyFile.Read(path);
            if (shape.Length != 1) throw new InvalidDataException($"--label '{path}' has shape {SampleShapes.Shape(shape)}; labels are one class index per sample, shape [N].");
            labels = new int[values.Length];
            for (int i = 0; i < values.Length; i++)
                labels[i] = values[i] >= 0 && values[i] == MathF.Floor(values[i]) && values[i] < int.MaxValue ? (int)values[i]
                    : throw new InvalidDataException($"--label '{path}', row {i}: {values[i]} is not a class index (a whole number ≥ 0).");
        }
        else labels = IdxFile.ReadLabels(path);
        if (labels.Length < samples)
            throw new InvalidDataException($"--label '{path}' holds {labels.Length} labels for {samples} calibration samples.");
        return labels;
    }
}
