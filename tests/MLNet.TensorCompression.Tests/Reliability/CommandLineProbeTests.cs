using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using MLNet.TensorCompression.Tests.Onnx;

namespace MLNet.TensorCompression.Tests.Reliability;

/// <summary>
/// Issue 13's probe suite: the command line over a table of bad files, arguments and data. Every row must end in exit 0,
/// 1 or 2 with one stderr line and no stack trace, leave its input bytes unchanged and, on failure, leave no file behind.
/// The rows name the items they cover (3: ONNX Runtime rejects a model; 4, 8: output paths; 9: the small ones).
/// </summary>
[TestClass]
public sealed class CommandLineProbeTests
{
    private static string Tiny(TemporaryDirectory d, string name = "tiny.onnx") => TinyModels.Write(TinyModels.Classifier(), d.File(name));

    private static string BrokenModel(TemporaryDirectory d, Action<ModelProto> change) => TinyModels.Write(TinyModels.Broken(change), d.File("broken.onnx"));

    private static string Data(TemporaryDirectory d, Func<int, string[], string[]>? edit = null) => TinyModels.Csv(d.File("data.csv"), 12, edit);

    /// <summary>A model ONNX Runtime refuses although it is well-formed: an operator it does not implement.</summary>
    private static string UnknownOperator(TemporaryDirectory d) =>
        BrokenModel(d, m => m.Graph.Node.Single(n => n.Name == "relu").OpType = "NoSuchOperator");

    private static readonly CommandLineProbe[] Probes =
    [
        // Bad model files.
        new("garbage model", 1, "is not a valid ONNX model", d => { File.WriteAllBytes(d.File("g.onnx"), [1, 2, 3, 4, 5, 6]); return ["compress", d.File("g.onnx"), "-o", d.File("out.onnx"), "--quiet"]; }),
        new("empty model", 1, "it has no graph", d => { File.WriteAllBytes(d.File("e.onnx"), []); return ["inspect", d.File("e.onnx")]; }),
        new("missing model", 1, "missing.onnx", d => ["compress", d.File("missing.onnx"), "-o", d.File("out.onnx"), "--quiet"]),
        new("item 9: directory as the model", 2, "is a directory, not a file", d => { Directory.CreateDirectory(d.File("dir.onnx")); return ["compress", d.File("dir.onnx"), "-o", d.File("out.onnx")]; }),
        new("item 5: cycle", 1, "not in topological order, or they form a cycle", d => ["compress", BrokenModel(d, m => m.Graph.Node.Single(n => n.Name == "relu").Input[0] = "y"), "-o", d.File("out.onnx"), "--quiet"]),
        new("item 5: undefined input", 1, "which no graph input, initializer or node produces", d => ["inspect", BrokenModel(d, m => m.Graph.Node[0].Input[0] = "nowhere")]),
        new("item 5: tensor written twice", 1, "every tensor name is written once", d => ["compress", BrokenModel(d, m => m.Graph.Node.Single(n => n.Name == "relu").Output[0] = "h"), "-o", d.File("out.onnx"), "--quiet"]),
        new("item 5: opset 999", 1, "imports opset 999", d => ["compress", BrokenModel(d, m => m.OpsetImport[0].Version = 999), "-o", d.File("out.onnx"), "--quiet"]),
        new("item 5: weight without data", 1, "holds no data", d => ["compress", BrokenModel(d, m => { m.Graph.Initializer[0].FloatData.Clear(); m.Graph.Initializer[0].RawData = Google.Protobuf.ByteString.Empty; }), "-o", d.File("out.onnx"), "--quiet"]),
        new("item 3: evaluate a model ONNX Runtime rejects", 1, "NoSuchOperator", d => ["evaluate", UnknownOperator(d), "--data", Data(d)]),
        new("item 3: sweep a model ONNX Runtime rejects", 1, "NoSuchOperator", d => ["sweep", UnknownOperator(d), "--data", Data(d), "--ratios", "2", "--quiet"]),

        // Output paths (items 4 and 8).
        new("item 9: -o is the input", 2, "is the same file as the input model", d => ["compress", Tiny(d), "-o", Tiny(d)]),
        new("item 4: -o is the input spelled another way", 2, "is the same file as the input model", d => { Tiny(d); Directory.CreateDirectory(d.File("sub")); return ["compress", d.File("tiny.onnx"), "-o", d.File("sub/../tiny.onnx")]; }),
        new("item 4: -o is a link to the input", 2, "is the same file as the input model", d => { File.CreateSymbolicLink(d.File("link.onnx"), Tiny(d)); return ["compress", d.File("tiny.onnx"), "-o", d.File("link.onnx")]; }),
        new("item 4: --report is the input", 2, "--report", d => ["compress", Tiny(d, "model.json"), "-o", d.File("out.onnx"), "--report", d.File("model.json")]),
        new("item 4: --report is -o", 2, "one would overwrite the other", d => ["compress", Tiny(d), "-o", d.File("same.md"), "--report", d.File("same.md")]),
        new("item 4: --report in a missing directory", 2, "does not exist", d => ["compress", Tiny(d), "-o", d.File("out.onnx"), "--report", d.File("no/such/report.md")]),
        new("item 4: -o in a missing directory", 2, "does not exist", d => ["compress", Tiny(d), "-o", d.File("no/out.onnx")]),
        new("item 8: -o onto a FIFO", 2, "not a regular file", d => ["compress", Tiny(d), "-o", CommandLineProbe.Fifo(d.File("fifo"))]),
        new("item 8: -o onto a directory", 2, "is a directory", d => { Directory.CreateDirectory(d.File("out.onnx")); return ["compress", Tiny(d), "-o", d.File("out.onnx")]; }),
        new("item 8: -o /dev/null", 2, "not a regular file", d => ["compress", Tiny(d), "-o", "/dev/null"]),
        new("item 8: --plot onto a FIFO", 2, "not a regular file", d => ["sweep", Tiny(d), "--data", Data(d), "--plot", CommandLineProbe.Fifo(d.File("plot.png"))]),

        // Arguments.
        new("item 9: --max-rank too large", 2, "--max-rank 99999999999 is too large", d => ["compress", Tiny(d), "-o", d.File("out.onnx"), "--max-rank", "99999999999"]),
        new("--max-rank 0", 2, "--max-rank must be a whole number ≥ 1", d => ["compress", Tiny(d), "-o", d.File("out.onnx"), "--max-rank", "0"]),
        new("--tolerance NaN", 2, "--tolerance", d => ["compress", Tiny(d), "-o", d.File("out.onnx"), "--tolerance", "NaN"]),
        new("--target-ratio 0.5", 2, "--target-ratio", d => ["compress", Tiny(d), "-o", d.File("out.onnx"), "--target-ratio", "0.5"]),
        new("item 9: --layer matching nothing", 2, "--layer 'nosuch' matches no layer of the model; its layers are fc, out", d => ["compress", Tiny(d), "-o", d.File("out.onnx"), "--layer", "nosuch=tt", "--quiet"]),
        new("item 9: --layer matching nothing in sweep", 2, "matches no layer", d => ["sweep", Tiny(d), "--data", Data(d), "--ratios", "2", "--layer", "nosuch=tt", "--quiet"]),
        new("--layer rank too large", 2, "is too large", d => ["compress", Tiny(d), "-o", d.File("out.onnx"), "--layer", "fc=tt:99999999999"]),
        new("--ranks too large", 2, "is too large", d => ["sweep", Tiny(d), "--data", Data(d), "--ranks", "4,99999999999"]),
        new("unknown command", 2, "unknown command", d => ["frobnicate"]),
        new("unknown option", 2, "unknown option", d => ["compress", Tiny(d), "-o", d.File("out.onnx"), "--bogus"]),
        new("option without its value", 2, "needs a value", d => ["compress", Tiny(d), "-o"]),

        // Data.
        new("item 9: label 99", 1, "the label 99 is not a class of the model", d => ["evaluate", Tiny(d), "--data", Data(d, (row, f) => { if (row == 4) f[0] = "99"; return f; })]),
        new("item 9: label -1", 1, "the label -1 is negative", d => ["evaluate", Tiny(d), "--data", Data(d, (row, f) => { if (row == 4) f[0] = "-1"; return f; })]),
        new("item 9: NaN pixel in evaluate", 1, "line 3, field 4: 'NaN' is not a finite number", d => ["evaluate", Tiny(d), "--data", Data(d, (row, f) => { if (row == 2) f[3] = "NaN"; return f; })]),
        new("item 1: infinity in sweep --calibration", 1, "'Infinity' is not a finite number", d => ["sweep", Tiny(d), "--data", Data(d), "--calibration", TinyModels.Csv(d.File("c.csv"), 12, (row, f) => { if (row == 1) f[2] = "Infinity"; return f; }), "--ratios", "2", "--quiet"]),
        new("data is a directory", 2, "--data", d => { Directory.CreateDirectory(d.File("data.csv")); return ["evaluate", Tiny(d), "--data", d.File("data.csv")]; }),
        new("data missing", 1, "data.csv", d => ["evaluate", Tiny(d), "--data", d.File("data.csv")]),
        new("data too narrow", 1, "values after the label; the model input takes 16", d => ["evaluate", Tiny(d), "--data", Data(d, (row, f) => f[..5])]),
        new("--plot is the model", 2, "is the same file as the model", d => ["sweep", Tiny(d), "--data", Data(d), "--plot", d.File("tiny.onnx")]),

        // Legal runs, which must still succeed.
        new("compress", 0, "", d => ["compress", Tiny(d), "-o", d.File("out.onnx"), "--report", d.File("report.json"), "--quiet"]),
        new("inspect", 0, "", d => ["inspect", Tiny(d)]),
        new("evaluate", 0, "", d => ["evaluate", Tiny(d), "--data", Data(d)]),
        new("help", 0, "", d => []),
    ];

    [TestMethod]
    public void EveryProbeEndsInExitZeroOneOrTwoWithOneLineAndLeavesNothingBehind()
    {
        var problems = Probes.SelectMany(probe => probe.Run()).ToArray();
        Assert.IsEmpty(problems, string.Join("\n", problems));
    }

    [TestMethod]
    public void TheFifoAndDevNullAreLeftAsTheyWere()
    {
        using var directory = new TemporaryDirectory();
        var fifo = CommandLineProbe.Fifo(directory.File("fifo"));
        Probes.Single(p => p.Name == "item 8: -o onto a FIFO").Run();
        Assert.AreEqual(FileKind.Kind.Special, FileKind.Of(fifo));
        Assert.AreEqual(FileKind.Kind.Special, FileKind.Of("/dev/null"));
        Assert.AreEqual(FileKind.Kind.Regular, FileKind.Of(TinyModels.Write(TinyModels.Classifier(), directory.File("m.onnx"))));
        Assert.AreEqual(FileKind.Kind.Directory, FileKind.Of(directory.Path));
        Assert.AreEqual(FileKind.Kind.Missing, FileKind.Of(directory.File("none")));
    }

    [TestMethod]
    public void TheReadmeTestCommandIsTheScriptCiRuns()
    {
        // Issue 13 item 10: the README's command runs what CI runs (the portability tests' npm install included).
        var readme = File.ReadAllText(Path.Combine(TestModels.RepositoryRoot, "README.md"));
        var ci = File.ReadAllText(Path.Combine(TestModels.RepositoryRoot, ".ci", "run"));
        StringAssert.Contains(readme.Split("```")[1], "bash .ci/run");
        StringAssert.Contains(ci, "npm install");
        StringAssert.Contains(ci, "dotnet test MLNet.TensorCompression.sln -c Release");
        StringAssert.Contains(ci, "echo \"${passed} passed, ${failed} failed");
    }
}
