using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression.Planning;

/// <summary>
/// Times models in ONNX Runtime on this machine, with the default session options (what a caller scoring the output
/// gets): after warm-up runs, rounds that run each model once, in turn, until about <see cref="RoundsBudget"/> has
/// passed (between <see cref="MinimumRounds"/> and <see cref="MaximumRounds"/>); the median per model. Alternating
/// spreads a busy machine's slow spells over every model alike.
/// </summary>
internal sealed class OnnxRuntimeLayerTimer : ILayerTimer
{
    private const int WarmUpRuns = 3;
    private const int MinimumRounds = 9;
    private const int MaximumRounds = 200;
    private static readonly TimeSpan RoundsBudget = TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    public IReadOnlyList<double> MedianMilliseconds(IReadOnlyList<TimedForm> forms, int batchSize)
    {
        var sessions = forms.Select(form => CreateSession(form.Model)).ToArray();
        try
        {
            return AlternatingMedians(sessions, sessions.Select(s => InputShape(s, batchSize)).ToArray(), rounds: null);
        }
        finally
        {
            foreach (var session in sessions) session.Dispose();
        }
    }

    /// <summary>A session on the model's bytes with the default options (all graph optimisations, ONNX Runtime's thread count).</summary>
    public static InferenceSession CreateSession(OnnxModel model) => new(model.ToBytes());

    /// <summary>
    /// The median milliseconds of one run of each session on an input of its shape, the sessions run in turn each round;
    /// <paramref name="rounds"/> rounds, or as many as fit the time budget when null.
    /// </summary>
    public static double[] AlternatingMedians(IReadOnlyList<InferenceSession> sessions, IReadOnlyList<long[]> inputShapes, int? rounds)
    {
        var runs = sessions.Select((session, i) => new TimedRun(session, inputShapes[i])).ToArray();
        try
        {
            for (int i = 0; i < WarmUpRuns; i++)
                foreach (var run in runs) run.Milliseconds();
            double perRound = runs.Sum(run => run.Milliseconds());
            int count = rounds ?? Math.Clamp((int)(RoundsBudget.TotalMilliseconds / Math.Max(perRound, 1e-3)), MinimumRounds, MaximumRounds);
            var times = runs.Select(_ => new double[count]).ToArray();
            for (int round = 0; round < count; round++)
                for (int i = 0; i < runs.Length; i++) times[i][round] = runs[i].Milliseconds();
            return times.Select(Median).ToArray();
        }
        finally
        {
            foreach (var run in runs) run.Dispose();
        }
    }

    /// <summary>The session's input shape with <paramref name="batchSize"/> for its first (symbolic) axis.</summary>
    public static long[] InputShape(InferenceSession session, int batchSize)
    {
        var dimensions = session.InputMetadata[session.InputNames[0]].Dimensions;
        return dimensions.Select((size, axis) => axis == 0 ? batchSize : Math.Max(size, 1L)).Select(size => (long)size).ToArray();
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    /// <summary>A session with its input ready to run.</summary>
    private sealed class TimedRun : IDisposable
    {
        private readonly InferenceSession session;
        private readonly OrtValue input;
        private readonly RunOptions options = new();
        private readonly string[] inputNames, outputNames;

        public TimedRun(InferenceSession session, long[] inputShape)
        {
            this.session = session;
            var values = new float[inputShape.Aggregate(1L, (a, b) => a * b)];
            for (long i = 0; i < values.LongLength; i++) values[i] = i % 97 / 97f;
            input = OrtValue.CreateTensorValueFromMemory(values, inputShape);
            inputNames = [session.InputNames[0]];
            outputNames = [session.OutputNames[0]];
        }

        public double Milliseconds()
        {
            var clock = Stopwatch.StartNew();
            using var outputs = session.Run(options, inputNames, [input], outputNames);
            return clock.Elapsed.TotalMilliseconds;
        }

        public void Dispose()
        {
            input.Dispose();
            options.Dispose();
        }
    }
}
