using System.Globalization;

namespace MLNet.TensorCompression.Cli;

/// <summary>
/// Labelled samples for <c>evaluate</c>: an IDX image file, gzipped or not, with its label file beside it (…images.idx3-ubyte →
/// …labels.idx1-ubyte, or MNIST's own names …images-idx3-ubyte.gz → …labels-idx1-ubyte.gz; pixels scaled to [0, 1]), or a CSV file whose rows are "label,value,value,…" (a header row is skipped
/// when its first field is not a number).
/// </summary>
internal static class LabelledData
{
    public static (CalibrationSet Samples, int[] Labels) Read(string path, string inputName, IReadOnlyList<long> sampleShape)
    {
        if (path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) return ReadCsv(path, inputName, sampleShape);
        var labelsPath = path.Replace("images.idx3", "labels.idx1", StringComparison.Ordinal).Replace("images-idx3", "labels-idx1", StringComparison.Ordinal);
        if (labelsPath == path || !File.Exists(labelsPath))
            throw new UsageException($"--data '{path}': an IDX image file needs its labels beside it as '…labels.idx1-ubyte' (looked for '{labelsPath}'), or give a .csv file");
        var (pixels, _, _, _) = IdxFile.ReadImages(path);
        return (new CalibrationSet(inputName, sampleShape, pixels), IdxFile.ReadLabels(labelsPath));
    }

    private static (CalibrationSet, int[]) ReadCsv(string path, string inputName, IReadOnlyList<long> sampleShape)
    {
        long sampleSize = sampleShape.Aggregate(1L, (a, b) => a * b);
        var values = new List<float>();
        var labels = new List<int>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var fields = line.Split(',');
            if (!int.TryParse(fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int label))
            {
                if (labels.Count == 0 && lineNumber == 1) continue; // a header
                throw new InvalidDataException($"{path}, line {lineNumber}: the label '{fields[0]}' is not a whole number.");
            }
            if (label < 0)
                throw new InvalidDataException($"{path}, line {lineNumber}: the label {label} is negative; labels are class indices 0, 1, ….");
            if (fields.Length - 1 != sampleSize)
                throw new InvalidDataException($"{path}, line {lineNumber}: {fields.Length - 1} values after the label; the model input takes {sampleSize}.");
            for (int i = 1; i < fields.Length; i++)
            {
                if (!float.TryParse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
                    throw new InvalidDataException($"{path}, line {lineNumber}, field {i + 1}: '{fields[i]}' is not a number.");
                // NaN or ±Inf would poison the re-fit's statistics (which then falls back to the data-free factors) or the scores.
                if (!float.IsFinite(value))
                    throw new InvalidDataException($"{path}, line {lineNumber}, field {i + 1}: '{fields[i]}' is not a finite number; remove or repair the row.");
                values.Add(value);
            }
            labels.Add(label);
        }
        if (labels.Count == 0) throw new InvalidDataException($"{path} holds no rows.");
        return (new CalibrationSet(inputName, sampleShape, values.ToArray()), labels.ToArray());
    }

    /// <summary>
    /// Throws when a label is not a class of <paramref name="model"/>: its first output's last axis, when the graph
    /// declares it, gives the number of classes (a label of 99 for 10 classes would silently count as wrong).
    /// </summary>
    public static void RequireClassesOf(Onnx.OnnxModel model, int[] labels, string path)
    {
        var dims = model.Graph.Output.FirstOrDefault()?.Type?.TensorType?.Shape?.Dim;
        if (dims is not { Count: > 0 } || dims[^1].DimValue <= 0) return;
        long classes = dims[^1].DimValue;
        int row = Array.FindIndex(labels, label => label < 0 || label >= classes);
        if (row >= 0)
            throw new InvalidDataException($"{path}, sample {row}: the label {labels[row]} is not a class of the model, whose output '{model.Graph.Output[0].Name}' has {classes} classes (0 to {classes - 1}).");
    }
}
