using System.Diagnostics;
using System.Globalization;
using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression.Cli;

/// <summary>
/// <c>decompose</c>: applies the hybrid rule (Conv kernels → TT, fully connected weights → HT) to every weight of a
/// model and prints what each decomposition costs and how far it is from the original. Writes no model.
/// </summary>
internal static class DecomposeCommand
{
    public static int Run(string[] args, TextWriter output)
    {
        var line = new CommandLine(args, "--max-rank", "--tolerance");
        if (line.Positional.Count != 1) throw new UsageException("decompose takes one model path");
        var truncation = new Truncation
        {
            MaxRank = line.Int("--max-rank", 16, minimum: 1),
            Tolerance = line.Double("--tolerance", 0, minimum: 0),
        };
        var model = OnnxModel.Load(line.Positional[0]);

        output.WriteLine($"{"layer",-14} {"op",-6} {"weight",-16} {"format",-6} {"modes",-28} {"ranks",-22} {"params",10} {"→ after",10} {"CR",7} {"rel.err",8} {"time",7}");
        long before = 0, after = 0;
        foreach (var node in model.Graph.Node)
        {
            if (node.OpType is not ("Conv" or "Gemm" or "MatMul") || node.Input.Count < 2) continue;
            if (!model.TryGetInitializer(node.Input[1], out var weight)) continue;
            var row = DecomposeWeight(weight, truncation);
            string name = string.IsNullOrEmpty(node.Name) ? node.Output[0] : node.Name;
            before += weight.Data.Length;
            after += row?.Parameters ?? weight.Data.Length;
            output.WriteLine(row is null
                ? $"{name,-14} {node.OpType,-6} {Shape(weight.Shape),-16} {"dense",-6} (sizes do not factor: kept dense)"
                : $"{name,-14} {node.OpType,-6} {Shape(weight.Shape),-16} {row.Format,-6} {row.Modes,-28} {row.Ranks,-22} {weight.Data.Length,10} {row.Parameters,10} {(double)weight.Data.Length / row.Parameters,6:F1}x {row.RelativeError,8:F4} {row.Seconds,6:F2}s");
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"total: {before} → {after} weight parameters ({(after == 0 ? 0 : (double)before / after):F1}x) at max rank {truncation.MaxRank}"));
        return 0;
    }

    private sealed record Row(string Format, string Modes, string Ranks, long Parameters, double RelativeError, double Seconds);

    private static Row? DecomposeWeight(FloatTensorData weight, Truncation truncation)
    {
        var clock = Stopwatch.StartNew();
        if (weight.Rank == 4)
        {
            var convLayout = Tensorization.ForConvKernel(weight.Shape[0], weight.Shape[1], weight.Shape[2], weight.Shape[3]);
            var tt = TensorTrain.Decompose(convLayout.Fold(weight.Data), convLayout.ModeSizes, truncation);
            return new Row("TT", convLayout.ToString(), string.Join("-", tt.Value.Ranks), tt.Value.ParameterCount, tt.RelativeError, clock.Elapsed.TotalSeconds);
        }
        if (weight.Rank != 2) return null;
        var matrixLayout = Tensorization.ForMatrix(weight.Shape[0], weight.Shape[1]);
        if (matrixLayout.ModeSizes.Count < 2) return null;
        var ht = HierarchicalTucker.Decompose(matrixLayout.Fold(weight.Data), matrixLayout.ModeSizes, null, truncation);
        var ranks = string.Join(",", ht.Value.Tree.Nodes.Where(n => n != ht.Value.Tree.Root).Select(n => ht.Value.Ranks[n.Id]));
        return new Row("HT", matrixLayout.ToString(), ranks, ht.Value.ParameterCount, ht.RelativeError, clock.Elapsed.TotalSeconds);
    }

    private static string Shape(IReadOnlyList<int> shape) => "[" + string.Join(",", shape) + "]";
}
