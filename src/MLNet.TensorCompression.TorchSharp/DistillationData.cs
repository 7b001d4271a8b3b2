using static TorchSharp.torch;

namespace MLNet.TensorCompression.TorchSharp;

/// <summary>
/// The rows of a distillation run as tensors: a seeded random split into training and held-back validation rows,
/// and the training rows in a new seeded order every epoch, each with the teacher's cached outputs when there are any.
/// </summary>
internal sealed class DistillationData : IDisposable
{
    private readonly Tensor trainingInputs;
    private readonly Tensor? trainingLabels;
    private readonly Tensor[]? trainingTeacherOutputs;
    private readonly int seed;
    private long[] order = [];
    private int orderEpoch = -1;

    private DistillationData(Tensor trainingInputs, Tensor? trainingLabels, Tensor[]? trainingTeacherOutputs, Tensor validationInputs, Tensor? validationLabels, Tensor[]? validationTeacherOutputs, int seed)
    {
        this.trainingInputs = trainingInputs;
        this.trainingLabels = trainingLabels;
        this.trainingTeacherOutputs = trainingTeacherOutputs;
        ValidationInputs = validationInputs;
        ValidationLabels = validationLabels;
        ValidationTeacherOutputs = validationTeacherOutputs;
        this.seed = seed;
    }

    /// <summary>Rows trained on.</summary>
    public int TrainingCount => (int)trainingInputs.shape[0];

    /// <summary>Rows held back.</summary>
    public int ValidationCount => (int)ValidationInputs.shape[0];

    /// <summary>The held-back inputs, batch first.</summary>
    public Tensor ValidationInputs { get; }

    /// <summary>The held-back rows' classes (int64), or null without labels.</summary>
    public Tensor? ValidationLabels { get; }

    /// <summary>The teacher's cached outputs for the held-back rows (one tensor per distilled output), or null when they are not cached.</summary>
    public Tensor[]? ValidationTeacherOutputs { get; }

    /// <summary>Holds back <paramref name="validationFraction"/> of the rows, chosen at random with <paramref name="seed"/>.</summary>
    /// <param name="samples">The rows.</param>
    /// <param name="labels">Their classes, or null.</param>
    /// <param name="teacherOutputs">The teacher's outputs for every row, one tensor per distilled output in the rows' order ([rows, …]), or null to run the teacher per step; not kept (the split copies them).</param>
    /// <param name="validationFraction">The fraction of rows held back.</param>
    /// <param name="seed">Seeds the split and the order of every epoch.</param>
    public static DistillationData Split(CalibrationSet samples, IReadOnlyList<int>? labels, Tensor[]? teacherOutputs, double validationFraction, int seed)
    {
        var rows = Enumerable.Range(0, samples.Count).ToArray();
        new Random(seed).Shuffle(rows);
        int validation = (int)Math.Round(samples.Count * validationFraction);
        if (samples.Count - validation < 1)
            throw new ArgumentException($"Distillation needs at least one training row; {samples.Count} rows with ValidationFraction = {validationFraction} leave none.", nameof(samples));
        var held = rows[..validation];
        var trained = rows[validation..];
        // Held-back rows in their original order, so validation reads the data front to back.
        Array.Sort(held);
        return new DistillationData(Inputs(samples, trained), Labels(labels, trained), Rows(teacherOutputs, trained),
            Inputs(samples, held), Labels(labels, held), Rows(teacherOutputs, held), seed);
    }

    /// <summary>
    /// Training batch <paramref name="index"/> (0-based, counting across epochs) of <paramref name="batchSize"/> rows,
    /// with their labels and cached teacher outputs (null where there are none); the last batch of an epoch may be
    /// smaller. The tensors land in the caller's dispose scope.
    /// </summary>
    public (Tensor Inputs, Tensor? Labels, Tensor[]? TeacherOutputs) Batch(int index, int batchSize)
    {
        int perEpoch = BatchesPerEpoch(batchSize);
        int epoch = index / perEpoch, start = index % perEpoch * batchSize;
        if (epoch != orderEpoch)
        {
            // A fresh order per epoch, reproducible from the seed alone.
            order = Enumerable.Range(0, TrainingCount).Select(i => (long)i).ToArray();
            new Random(HashCode.Combine(seed, epoch)).Shuffle(order);
            orderEpoch = epoch;
        }
        using var rows = tensor(order.AsSpan(start, Math.Min(batchSize, TrainingCount - start)).ToArray());
        return (trainingInputs.index_select(0, rows), trainingLabels?.index_select(0, rows), trainingTeacherOutputs?.Select(o => o.index_select(0, rows)).ToArray());
    }

    /// <summary>Batches in one pass over the training rows.</summary>
    public int BatchesPerEpoch(int batchSize) => (TrainingCount + batchSize - 1) / batchSize;

    private static Tensor Inputs(CalibrationSet samples, int[] rows)
    {
        int size = samples.SampleSize;
        var values = new float[rows.Length * size];
        for (int i = 0; i < rows.Length; i++)
            samples.Data.AsSpan(rows[i] * size, size).CopyTo(values.AsSpan(i * size, size));
        return tensor(values, [rows.Length, .. samples.SampleShape]).DetachFromDisposeScope();
    }

    private static Tensor? Labels(IReadOnlyList<int>? labels, int[] rows) =>
        labels is null ? null : tensor(rows.Select(r => (long)labels[r]).ToArray()).DetachFromDisposeScope();

    private static Tensor[]? Rows(Tensor[]? values, int[] rows)
    {
        if (values is null) return null;
        using var index = tensor(rows.Select(r => (long)r).ToArray());
        return values.Select(v => v.index_select(0, index).DetachFromDisposeScope()).ToArray();
    }

    public void Dispose()
    {
        trainingInputs.Dispose();
        trainingLabels?.Dispose();
        foreach (var outputs in trainingTeacherOutputs ?? []) outputs.Dispose();
        ValidationInputs.Dispose();
        ValidationLabels?.Dispose();
        foreach (var outputs in ValidationTeacherOutputs ?? []) outputs.Dispose();
    }
}
