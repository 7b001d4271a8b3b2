using MLNet.TensorCompression.Onnx;
namespace MLNet.TensorCompression.TorchSharp.Tests;
[TestClass]
public sealed class TmpDivergenceProbe
{
    [TestMethod]
    public void Probe()
    {
        var teacher = OnnxModel.Load(TestModels.Path("vgg-fashion.onnx"));
        var student = OnnxModel.Load(Environment.GetEnvironmentVariable("X_STUDENT") ?? "/tmp/v20.onnx");
        var (train, labels) = FashionSubset.Training(2000);
        int steps = int.Parse(Environment.GetEnvironmentVariable("X_PROBE_STEPS") ?? "300");
        var outcome = new DistillationFineTuning { MaxSteps = steps, Epochs = 100, ValidationInterval = 20 }
            .Run(new FineTuningRequest(teacher, student, train, labels, Progress: s => Console.WriteLine(s)));
        Console.WriteLine(outcome.Summary);
    }
}
