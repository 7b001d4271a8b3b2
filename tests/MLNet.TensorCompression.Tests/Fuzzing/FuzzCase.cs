using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression.Tests.Fuzzing;

/// <summary>What one fuzz case ended in.</summary>
/// <param name="Seed">The mutation seed.</param>
/// <param name="Mutation">What the mutation did.</param>
/// <param name="Outcome">"success" or the exception's type name (suffixed " (finding)" when not allowed).</param>
/// <param name="Finding">Null when the outcome is allowed; otherwise why not, with the stack trace.</param>
internal sealed record FuzzResult(int Seed, string Mutation, string Outcome, string? Finding);

/// <summary>
/// Runs one fuzz case: load the mutated bytes, find the layers, compress at rank 4 and serialize the result. The only
/// allowed outcomes are success and the documented exceptions: <see cref="OnnxModelException"/>,
/// <see cref="ArgumentException"/> (and subclasses) with a message, <see cref="KeyNotFoundException"/> and
/// <see cref="InvalidDataException"/>. Anything else, an ONNX Runtime error escaping the shape probe, or a case
/// running longer than the time limit, is a finding.
/// </summary>
internal static class FuzzCase
{
    /// <summary>The compression every case runs.</summary>
    public static CompressionOptions Options() => new() { MaxRank = 4, MinimumLayerParameters = 0 };

    /// <summary>Mutates with <paramref name="seed"/> and runs the case, giving up on it after <paramref name="timeLimit"/>.</summary>
    public static FuzzResult Run(ModelMutator mutator, int seed, TimeSpan timeLimit)
    {
        var mutated = mutator.Mutate(seed);
        var run = Task.Run(() => Classify(mutated.Bytes));
        if (!run.Wait(timeLimit))
        {
            return new FuzzResult(seed, mutated.Description, "hang (finding)", $"still running after {timeLimit.TotalSeconds:F0} s");
        }

        var (outcome, finding) = run.Result;
        return new FuzzResult(seed, mutated.Description, outcome, finding);
    }

    private static (string Outcome, string? Finding) Classify(byte[] bytes)
    {
        try
        {
            var model = OnnxModel.Load(bytes);
            LayerFinder.Find(model);
            var result = OnnxModelCompressor.Compress(model, Options());
            result.Model.ToBytes();
            return ("success", null);
        }
        catch (Exception exception)
        {
            var name = exception.GetType().Name;
            var finding = Judge(exception);
            return finding is null ? (name, null) : ($"{name} (finding)", $"{finding}\n{exception}");
        }
    }

    /// <summary>Null when <paramref name="exception"/> is a documented failure; otherwise what is wrong with it.</summary>
    private static string? Judge(Exception exception) => exception switch
    {
        OnnxModelException => null,
        ArgumentException argument when string.IsNullOrWhiteSpace(argument.Message) => "an ArgumentException without a message",
        ArgumentNullException => "an ArgumentNullException: a null reached a public API from inside the library",
        ArgumentException => null,
        KeyNotFoundException => null,
        InvalidDataException => null,
        OnnxRuntimeException => "an ONNX Runtime error escaped the shape probe",
        _ => "an undocumented exception type",
    };

    /// <summary>Runs <paramref name="count"/> cases from <paramref name="firstSeed"/> and tallies them.</summary>
    public static FuzzSummary RunMany(byte[] model, int firstSeed, int count, TimeSpan timeLimit)
    {
        var mutator = new ModelMutator(model);
        var summary = new FuzzSummary();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            summary.Add(Run(mutator, firstSeed + i, timeLimit));
        }

        summary.Elapsed = clock.Elapsed;
        return summary;
    }
}

/// <summary>Counts of outcomes over many cases, and the findings.</summary>
internal sealed class FuzzSummary
{
    /// <summary>Cases per outcome.</summary>
    public SortedDictionary<string, int> Counts { get; } = new(StringComparer.Ordinal);

    /// <summary>The cases that ended in a finding.</summary>
    public List<FuzzResult> Findings { get; } = [];

    /// <summary>Cases run.</summary>
    public int Cases { get; private set; }

    /// <summary>Wall time of the run.</summary>
    public TimeSpan Elapsed { get; set; }

    /// <summary>Adds one case.</summary>
    public void Add(FuzzResult result)
    {
        Cases++;
        Counts[result.Outcome] = Counts.GetValueOrDefault(result.Outcome) + 1;
        if (result.Finding is not null)
        {
            Findings.Add(result);
        }
    }

    /// <summary>The counts and every finding, one block per finding.</summary>
    public string Format()
    {
        var lines = new List<string> { $"{Cases} cases in {Elapsed.TotalSeconds:F1} s" };
        lines.AddRange(Counts.Select(pair => $"  {pair.Key}: {pair.Value}"));
        foreach (var finding in Findings)
        {
            lines.Add($"FINDING seed {finding.Seed}: {finding.Mutation}\n  {finding.Outcome}: {finding.Finding}");
        }

        return string.Join(Environment.NewLine, lines);
    }
}
