using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Fitting;

/// <summary>
/// Turns a batch of a layer's input and output activations into regression rows x̃ → y and adds them to the training or
/// the held-back <see cref="LayerStatistics"/>, by sample: a fully connected layer gives a row per leading position of a
/// sample; a convolution a row per output pixel (every pixel, as an im2col patch). Rows go in chunks, so a batch's
/// patches are never all in memory at once.
/// </summary>
internal sealed class RegressionRows(CompressibleLayer layer, LayerStatistics training, LayerStatistics holdout, Func<int, bool> isHeldBack)
{
    // A chunk holds at most this many rows, and at most ChunkBytes of them: 4,096 rows of a 4,609-input layer were
    // 150 MB per chunk; 32 MB keeps every chunk long enough (≥ 256 rows) for the Gram product to run at full speed.
    private const int MaxChunkRows = 4096, MinChunkRows = 256;
    private const long ChunkBytes = 32L << 20;

    private readonly Chunk trainingChunk = new(training);
    private readonly Chunk holdoutChunk = new(holdout);

    /// <summary>Adds the rows of a batch: <paramref name="input"/> and <paramref name="output"/> are [count, …] for samples <paramref name="start"/>… .</summary>
    public void Add(int start, float[] input, long[] inputShape, float[] output, long[] outputShape)
    {
        int count = (int)inputShape[0];
        int inputSize = input.Length / count, outputSize = output.Length / count;
        for (int sample = 0; sample < count; sample++)
        {
            var chunk = isHeldBack(start + sample) ? holdoutChunk : trainingChunk;
            var x = input.AsSpan(sample * inputSize, inputSize);
            var y = output.AsSpan(sample * outputSize, outputSize);
            if (layer.Kind == LayerKind.Convolution) AddPatches(chunk, x, inputShape, y, outputShape);
            else AddPositions(chunk, x, y);
        }
    }

    /// <summary>Adds the rows still waiting in the chunks.</summary>
    public void Flush()
    {
        trainingChunk.Flush();
        holdoutChunk.Flush();
    }

    private void AddPositions(Chunk chunk, ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        int k = layer.InputSize, o = layer.OutputSize;
        for (int position = 0; position < x.Length / k; position++)
            chunk.Add(x.Slice(position * k, k), y.Slice(position * o, o));
    }

    private void AddPatches(Chunk chunk, ReadOnlySpan<float> x, long[] inputShape, ReadOnlySpan<float> y, long[] outputShape)
    {
        int channels = (int)inputShape[1], height = (int)inputShape[2], width = (int)inputShape[3];
        int outChannels = (int)outputShape[1], outHeight = (int)outputShape[2], outWidth = (int)outputShape[3];
        var geometry = ConvolutionGeometry.Of(layer, height, width);
        int kh = geometry.KernelHeight, kw = geometry.KernelWidth;
        Span<float> patch = new float[channels * kh * kw];
        Span<float> target = new float[outChannels];
        for (int oy = 0; oy < outHeight; oy++)
        for (int ox = 0; ox < outWidth; ox++)
        {
            for (int c = 0; c < channels; c++)
            for (int ky = 0; ky < kh; ky++)
            for (int kx = 0; kx < kw; kx++)
            {
                int iy = (oy * geometry.StrideY) - geometry.PadTop + (ky * geometry.DilationY);
                int ix = (ox * geometry.StrideX) - geometry.PadLeft + (kx * geometry.DilationX);
                patch[(((c * kh) + ky) * kw) + kx] = iy >= 0 && iy < height && ix >= 0 && ix < width ? x[(((c * height) + iy) * width) + ix] : 0;
            }
            for (int channel = 0; channel < outChannels; channel++) target[channel] = y[(((channel * outHeight) + oy) * outWidth) + ox];
            chunk.Add(patch, target);
        }
    }

    /// <summary>Rows gathered for one set of statistics, handed over whenever the chunk is full.</summary>
    private sealed class Chunk(LayerStatistics statistics)
    {
        private static int Capacity(LayerStatistics statistics) =>
            (int)Math.Clamp(ChunkBytes / (sizeof(double) * (statistics.AugmentedSize + statistics.OutputSize)), MinChunkRows, MaxChunkRows);

        private readonly Matrix inputs = new(Capacity(statistics), statistics.AugmentedSize);
        private readonly Matrix targets = new(Capacity(statistics), statistics.OutputSize);
        private int rows;

        public void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
        {
            var inputRow = inputs.Row(rows);
            for (int i = 0; i < x.Length; i++) inputRow[i] = x[i];
            if (statistics.HasBias) inputRow[x.Length] = 1;
            var targetRow = targets.Row(rows);
            for (int i = 0; i < y.Length; i++) targetRow[i] = y[i];
            if (++rows == inputs.Rows) Flush();
        }

        public void Flush()
        {
            if (rows == 0) return;
            bool full = rows == inputs.Rows;
            statistics.Add(full ? inputs : new Matrix(rows, inputs.Cols, inputs.Data[..(rows * inputs.Cols)]),
                full ? targets : new Matrix(rows, targets.Cols, targets.Data[..(rows * targets.Cols)]));
            rows = 0;
        }
    }
}
