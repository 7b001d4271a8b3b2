using static TorchSharp.torch;

namespace MLNet.TensorCompression.TorchSharp.Tests;

[TestClass]
public sealed class TorchRuntimeTests
{
    [TestMethod]
    public void NativeLibrariesLoadAndComputeGradients()
    {
        TorchRuntime.EnsureAvailable();
        Assert.IsTrue(TorchRuntime.IsAvailable);
        using var x = tensor(new float[] { 1, 2, 3 }, requires_grad: true);
        using var loss = (x * x).sum();
        loss.backward();
        CollectionAssert.AreEqual(new float[] { 2, 4, 6 }, x.grad!.data<float>().ToArray());
    }
}
