using System.Diagnostics;
using System.Globalization;
using static TorchSharp.torch;
using TorchSharp.Modules;

namespace MLNet.TensorCompression.TorchSharp;

/// <summary>
/// One distillation run: Adam on the student's trainable weights, validation on the held-back rows at intervals (keeping the
/// best factors seen, the starting ones included, so a run never ends worse on validation than it began), early
/// stopping, and progress lines with the loss, the validation metric and the time left.
/// </summary>
internal sealed class DistillationRun : IDisposable
{
    // Measured on VGG (2 cores): 3,000 rows take 2.4 s in batches of 64–256 and 3.2–4.2 s in batches of 500.
    private const int ValidationBatchSize = 128;
    private const double WarmupFraction = 0.05;
    // On the VGG sample one validation of 5 % of the rows costs 2.4 s against an epoch's 180 s; five keep the total under 7 %.
    private const int DefaultValidations = 5;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(15);

    private readonly DistillationFineTuning settings;
    private readonly TorchThreads threads;
    private readonly OnnxTorchGraph? teacher;
    private readonly OnnxTorchGraph student;
    private readonly DistillationData data;
    private readonly IReadOnlyList<DistilledOutput> outputs;
    private readonly Parameter[] parameters;
    private readonly optim.Optimizer optimizer;
    private readonly Action<string>? progress;
    private readonly CancellationToken cancellationToken;

    private DistillationRun(DistillationFineTuning settings, TorchThreads threads, OnnxTorchGraph? teacher, OnnxTorchGraph student, DistillationData data,
        IReadOnlyList<DistilledOutput> outputs, TimeSpan? teacherCacheTime, Action<string>? progress, CancellationToken cancellationToken)
    {
        this.outputs = outputs;
        this.settings = settings;
        this.threads = threads;
        this.teacher = teacher;
        this.student = student;
        this.data = data;
        TeacherCacheTime = teacherCacheTime;
        this.progress = progress;
        this.cancellationToken = cancellationToken;
        parameters = student.Parameters.Values.ToArray();
        optimizer = optim.Adam(parameters, settings.LearningRate);
    }

    /// <summary>The student's weights this run trains.</summary>
    internal IReadOnlyList<Parameter> TrainedParameters => parameters;

    /// <summary>
    /// Sets the thread count, compiles the student with the weights <paramref name="settings"/> train and the outputs it
    /// distils, resolves each output's loss from its shape, caches the teacher's outputs (or compiles the teacher to run
    /// per step) and splits the rows: everything before the first step.
    /// </summary>
    /// <exception cref="ArgumentException">The compressed model has no factorised layer, or a named output is not an output of both models.</exception>
    public static DistillationRun Start(DistillationFineTuning settings, FineTuningRequest request)
    {
        var compressed = request.Compressed.Proto;
        if (OnnxTorchGraph.CompressedLayerInputs(compressed).Count == 0)
            throw new ArgumentException($"The compressed model has no factorised layer (no node of domain {OnnxTorchGraph.CompressedLayerDomain}), so there is nothing to fine-tune. "
                + "A model compressed with Inline = true has none: its factors are plain initializers; compress without Inline to fine-tune.", nameof(request));
        var owned = new Stack<IDisposable>();
        try
        {
            var threads = Own(owned, TorchThreads.Use(settings.Threads ?? Environment.ProcessorCount));
            manual_seed(request.Seed);
            var names = OutputNames(settings, request);
            var student = Own(owned, OnnxTorchGraph.Create(request.Compressed, settings.TrainableParameters == TrainableParameters.All
                ? OnnxTorchGraph.FloatInitializers(compressed)
                : OnnxTorchGraph.CompressedLayerInputs(compressed), names));
            var outputs = ResolveOutputs(settings.LossKind, student, request.Samples);
            var clock = Stopwatch.StartNew();
            var teacherOutputs = settings.CacheTeacherOutputs ? TeacherOutputs.Compute(request.Original, request.Samples, names) : null;
            try
            {
                TimeSpan? cacheTime = teacherOutputs is null ? null : clock.Elapsed;
                var teacher = teacherOutputs is null ? Own(owned, OnnxTorchGraph.Create(request.Original, trainFactors: false, names)) : null;
                var data = Own(owned, DistillationData.Split(request.Samples, request.Labels, teacherOutputs, settings.ValidationFraction, request.Seed));
                if (cacheTime is { } time)
                    request.Progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"cached the original model's outputs for {request.Samples.Count:N0} rows ({time.TotalSeconds:0.0} s)"));
                return new DistillationRun(settings, threads, teacher, student, data, outputs, cacheTime, request.Progress, request.CancellationToken);
            }
            finally
            {
                foreach (var cached in teacherOutputs ?? []) cached.Dispose();
            }
        }
        catch
        {
            while (owned.Count > 0) owned.Pop().Dispose();
            throw;
        }
    }

    /// <summary>
    /// The outputs to distil: <see cref="DistillationFineTuning.Outputs"/>, or every FLOAT output of the original; each
    /// must be an output of both models.
    /// </summary>
    private static string[] OutputNames(DistillationFineTuning settings, FineTuningRequest request)
    {
        var original = request.Original.Graph.Output;
        var compressed = request.Compressed.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var names = settings.Outputs?.ToArray()
            ?? original.Where(o => o.Type?.TensorType?.ElemType == (int)Onnx.Protobuf.TensorProto.Types.DataType.Float).Select(o => o.Name).ToArray();
        if (names.Length == 0)
            throw new ArgumentException($"The original model has no FLOAT output to distil; its outputs are {string.Join(", ", original.Select(o => $"'{o.Name}'"))}.", nameof(request));
        foreach (var name in names)
        {
            if (!original.Any(o => o.Name == name) || !compressed.Contains(name))
                throw new ArgumentException(
                    $"Outputs names '{name}', which is not an output of both models; the original's outputs are {string.Join(", ", original.Select(o => $"'{o.Name}'"))}.", nameof(request));
        }

        return names;
    }

    /// <summary>Each output's loss, resolved from the shape the student gives it for the first sample.</summary>
    private static DistilledOutput[] ResolveOutputs(DistillationLossKind requested, OnnxTorchGraph student, CalibrationSet samples)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var values = student.ForwardOutputs(tensor(samples.Data.AsSpan(0, samples.SampleSize).ToArray(), [1, .. samples.SampleShape]));
        return values.Select((value, i) => new DistilledOutput(student.OutputNames[i], DistilledOutput.Resolve(requested, value.shape), value.shape)).ToArray();
    }

    /// <summary>The compressed model being trained.</summary>
    public OnnxTorchGraph Student => student;

    /// <summary>The split rows.</summary>
    public DistillationData Data => data;

    /// <summary>How long caching the teacher's outputs took, or null when the teacher runs per step.</summary>
    public TimeSpan? TeacherCacheTime { get; }

    /// <summary>The distilled outputs with their losses, in the order the graphs return them.</summary>
    public IReadOnlyList<DistilledOutput> Outputs => outputs;

    /// <summary>Values trained.</summary>
    public long TrainedValues => parameters.Sum(p => p.numel());

    /// <summary>
    /// Held-back rows are scored by class when the first distilled output holds class scores (accuracy with labels,
    /// agreement with the original's top class without), otherwise by the distillation loss itself.
    /// </summary>
    private bool ValidatesClasses => outputs[0].Loss == DistillationLossKind.LogitsKL;

    private string Metric => !ValidatesClasses ? "distillation loss" : data.ValidationLabels is not null ? "accuracy" : "agreement with the original";

    /// <summary>A validation score as reported: scores are compared higher-is-better, so the loss is kept negated.</summary>
    private double Shown(double score) => ValidatesClasses ? score : -score;

    public DistillationSummary Train()
    {
        int perEpoch = data.BatchesPerEpoch(settings.BatchSize);
        int total = Math.Max(1, (int)Math.Ceiling(settings.Epochs * perEpoch));
        if (settings.MaxSteps is { } cap) total = Math.Min(total, cap);
        bool validating = data.ValidationCount > 0;
        int interval = settings.ValidationInterval ?? Math.Max(1, total / DefaultValidations);

        // Without labels the student is scored against the teacher's classes, which do not change: predict them once.
        using var teacherClasses = validating && ValidatesClasses && data.ValidationLabels is null ? TeacherClasses() : null;
        var validationTargets = data.ValidationLabels ?? teacherClasses;
        double initial = validating ? Validate(validationTargets) : double.NaN, best = initial;
        int bestStep = 0, validations = 0, sinceImprovement = 0, step = 0, skipped = 0, skippedInARow = 0;
        bool stoppedEarly = false, diverged = false;
        var kept = validating ? Snapshot(parameters) : null;
        Report(string.Create(CultureInfo.InvariantCulture, $"distilling: {total} steps of {settings.BatchSize} rows on {data.TrainingCount:N0} rows{(validating ? string.Create(CultureInfo.InvariantCulture, $"; {Metric} on {data.ValidationCount:N0} held-back rows before: {Shown(initial):0.0000}") : "")}"));

        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        double runningLoss = double.NaN;
        try
        {
            while (step < total)
            {
                cancellationToken.ThrowIfCancellationRequested();
                SetLearningRate(LearningRateAt(step, total));
                var (loss, applied) = TrainStep(step);
                step++;
                if (!applied)
                {
                    skipped++;
                    skippedInARow++;
                    Report(string.Create(CultureInfo.InvariantCulture, $"skipped step {step}: {(double.IsFinite(loss) ? "non-finite gradients" : $"loss {loss}")}; the weights were left as they were"));
                    if (skippedInARow < MaxSkippedInARow) continue;
                    if (kept is null)
                        throw new InvalidOperationException($"Distillation diverged: {MaxSkippedInARow} steps in a row up to step {step} had a non-finite loss or gradients, with no held-back rows to fall back on; lower LearningRate (now {settings.LearningRate}).");
                    Report($"stopping: {MaxSkippedInARow} steps in a row up to step {step} had a non-finite loss or gradients (lower LearningRate, now {settings.LearningRate}); keeping the factors of step {bestStep}");
                    diverged = true;
                    break;
                }
                skippedInARow = 0;
                runningLoss = double.IsNaN(runningLoss) ? loss : 0.95 * runningLoss + 0.05 * loss;

                string validation = "";
                if (validating && (step % interval == 0 || step == total))
                {
                    double score = Validate(validationTargets);
                    validations++;
                    if (score > best)
                    {
                        (best, bestStep, sinceImprovement) = (score, step, 0);
                        DisposeAll(kept!);
                        kept = Snapshot(parameters);
                    }
                    else sinceImprovement++;
                    validation = string.Create(CultureInfo.InvariantCulture, $", {Metric} {Shown(score):0.0000} (best {Shown(best):0.0000})");
                    stoppedEarly = settings.EarlyStoppingPatience is { } patience && sinceImprovement >= patience && step < total;
                }
                if (validation.Length > 0 || clock.Elapsed - lastReport >= ProgressInterval || step == total)
                {
                    lastReport = clock.Elapsed;
                    var left = TimeSpan.FromTicks(clock.Elapsed.Ticks / step * (total - step));
                    Report(string.Create(CultureInfo.InvariantCulture, $"step {step}/{total} (epoch {(double)step / perEpoch:0.00}): loss {runningLoss:0.0000}{validation}; {clock.Elapsed.TotalSeconds:0} s, about {left.TotalSeconds:0} s left"));
                }
                if (stoppedEarly)
                {
                    Report($"stopping early: no improvement in {sinceImprovement} validations");
                    break;
                }
            }
            if (kept is not null) Restore(parameters, kept);
        }
        finally
        {
            if (kept is not null) DisposeAll(kept);
        }
        return new DistillationSummary(step, (double)step / perEpoch, validations, Metric, Shown(initial), Shown(best), bestStep, stoppedEarly, diverged, skipped);
    }

    /// <summary>
    /// One optimiser step on training batch <paramref name="step"/> at the current step size; returns the loss and
    /// whether the step was taken. A step whose loss or any gradient is not finite is not taken: on this machine
    /// libtorch 2.10 now and then returned NaN from a convolution's forward or backward with every weight and input
    /// finite (one to three steps an epoch of the VGG sample's split model at 40x; the same batch run again was
    /// finite), and one such step taken made every weight NaN.
    /// <para>
    /// The batch goes forward and backward in parts of at most <see cref="DistillationFineTuning.MaxInputValuesPerPass"/>
    /// input values, their gradients added up, each part's loss weighted by its share of rows: the same step, with the
    /// activation memory of a part (95 images of 224×224 through ResNet-18 at once took libtorch to 6.8 GB).
    /// </para>
    /// </summary>
    public (double Loss, bool Applied) TrainStep(int step)
    {
        using var scope = NewDisposeScope();
        var (inputs, labels, cached) = data.Batch(step, settings.BatchSize);
        var teacherOutputs = cached ?? TeacherForward(inputs);
        var teacherScales = DistillationLoss.TeacherScales(outputs, teacherOutputs);
        long rows = inputs.shape[0];
        long rowsPerPass = Math.Clamp(settings.MaxInputValuesPerPass / Math.Max(1, inputs.numel() / rows), 1, rows);
        optimizer.zero_grad();
        double value = 0;
        for (long start = 0; start < rows; start += rowsPerPass)
        {
            using var passScope = NewDisposeScope();
            long count = Math.Min(rowsPerPass, rows - start);
            var loss = DistillationLoss.Compute(outputs, student.ForwardOutputs(inputs.narrow(0, start, count)), teacherOutputs.Select(o => o.narrow(0, start, count)).ToArray(),
                labels?.narrow(0, start, count), settings.Temperature, settings.DistillationWeight, teacherScales) * ((double)count / rows);
            value += loss.item<float>();
            if (!double.IsFinite(value)) return (value, false);
            loss.backward();
        }
        if (parameters.Any(p => p.grad is { } gradient && !gradient.isfinite().all().item<bool>())) return (value, false);
        optimizer.step();
        return (value, true);
    }

    // Skipped steps in a row after which the run counts as diverged.
    private const int MaxSkippedInARow = 10;

    private Tensor[] TeacherForward(Tensor inputs)
    {
        using var noGrad = no_grad();
        return teacher!.ForwardOutputs(inputs);
    }

    /// <summary>The teacher's top-1 class for each held-back row, from its cached outputs when there are any.</summary>
    private Tensor TeacherClasses() => data.ValidationTeacherOutputs?[0].flatten(1).argmax(1).DetachFromDisposeScope() ?? Predictions(teacher!);

    /// <summary>
    /// The held-back rows' score, higher is better: the fraction the student classifies as <paramref name="targets"/>
    /// says, or, when the first output is not class scores, the negated distillation loss (labels left out).
    /// </summary>
    private double Validate(Tensor? targets)
    {
        using var scope = NewDisposeScope();
        if (!ValidatesClasses) return -ValidationLoss();
        using var predicted = Predictions(student);
        return predicted.eq(targets!).sum().item<long>() / (double)data.ValidationCount;
    }

    /// <summary>The distillation loss on the held-back rows, averaged over rows.</summary>
    private double ValidationLoss()
    {
        using var noGrad = no_grad();
        double total = 0;
        for (int start = 0; start < data.ValidationCount; start += ValidationBatchSize)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(ValidationBatchSize, data.ValidationCount - start);
            var inputs = data.ValidationInputs.narrow(0, start, count);
            var teacherOutputs = data.ValidationTeacherOutputs?.Select(o => o.narrow(0, start, count)).ToArray() ?? TeacherForward(inputs);
            var loss = DistillationLoss.Compute(outputs, student.ForwardOutputs(inputs), teacherOutputs, labels: null, settings.Temperature, settings.DistillationWeight);
            total += loss.item<float>() * count;
        }

        return total / data.ValidationCount;
    }

    /// <summary>The top-1 class <paramref name="graph"/> gives each held-back row, int64 [rows], outside any dispose scope.</summary>
    private Tensor Predictions(OnnxTorchGraph graph)
    {
        using var noGrad = no_grad();
        var batches = new List<Tensor>();
        try
        {
            for (int start = 0; start < data.ValidationCount; start += ValidationBatchSize)
            {
                // A scope per batch: the executor keeps every intermediate until its scope ends.
                using var scope = NewDisposeScope();
                var inputs = data.ValidationInputs.narrow(0, start, Math.Min(ValidationBatchSize, data.ValidationCount - start));
                batches.Add(graph.Forward(inputs).flatten(1).argmax(1).DetachFromDisposeScope());
            }
            return cat(batches, 0).DetachFromDisposeScope();
        }
        finally
        {
            DisposeAll(batches.ToArray());
        }
    }

    private double LearningRateAt(int step, int total)
    {
        double peak = settings.LearningRate;
        if (settings.Schedule == LearningRateSchedule.Constant) return peak;
        int warmup = Math.Max(1, (int)(total * WarmupFraction));
        if (step < warmup) return peak * (step + 1) / warmup;
        double progress = (double)(step - warmup) / Math.Max(1, total - warmup);
        return peak * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }

    private void SetLearningRate(double rate)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
    }

    private static Tensor[] Snapshot(Parameter[] parameters)
    {
        using var noGrad = no_grad();
        return parameters.Select(p => p.detach().clone().DetachFromDisposeScope()).ToArray();
    }

    private static void Restore(Parameter[] parameters, Tensor[] values)
    {
        using var noGrad = no_grad();
        for (int i = 0; i < parameters.Length; i++) parameters[i].copy_(values[i]);
    }

    private static void DisposeAll(Tensor[] tensors)
    {
        foreach (var t in tensors) t.Dispose();
    }

    private void Report(string line) => progress?.Invoke(line);

    private static T Own<T>(Stack<IDisposable> owned, T value) where T : IDisposable
    {
        owned.Push(value);
        return value;
    }

    /// <summary>Frees the graphs, the rows and the optimiser, and puts the thread count back.</summary>
    public void Dispose()
    {
        optimizer.Dispose();
        data.Dispose();
        teacher?.Dispose();
        student.Dispose();
        threads.Dispose();
    }
}
