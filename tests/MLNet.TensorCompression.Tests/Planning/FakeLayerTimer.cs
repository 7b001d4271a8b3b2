using MLNet.TensorCompression.Planning;

namespace MLNet.TensorCompression.Tests.Planning;

/// <summary>A timer that measures nothing: each form takes the milliseconds the test gives for it, and every call is recorded.</summary>
internal sealed class FakeLayerTimer(Func<ExecutionForm, double> milliseconds) : ILayerTimer
{
    /// <summary>Every call: the forms timed together and the batch size.</summary>
    public List<(ExecutionForm[] Forms, int BatchSize)> Calls { get; } = [];

    /// <inheritdoc />
    public IReadOnlyList<double> MedianMilliseconds(IReadOnlyList<TimedForm> forms, int batchSize)
    {
        Calls.Add((forms.Select(f => f.Form).ToArray(), batchSize));
        return forms.Select(f => milliseconds(f.Form)).ToArray();
    }

    /// <summary>A timer where <paramref name="fastest"/> takes half the dense time and every other form twice it (Reconstructed: the dense time).</summary>
    public static FakeLayerTimer Favouring(ExecutionForm fastest) =>
        new(form => form == fastest ? 0.5 : form is ExecutionForm.Dense or ExecutionForm.Reconstructed ? 1 : 2);
}
