using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression.Cli;

/// <summary><c>inspect</c>: lists a model's layers with shapes, parameters and multiply-adds, and what the default plan would do with each.</summary>
internal sealed class InspectCommand : Command
{
    private readonly Argument<string> modelFile = new("model.onnx") { Description = "the model to list" };
    private readonly Option<bool> json = CommandOptions.Flag("--json", "print the list as JSON");

    /// <summary>The command, its argument and options.</summary>
    public InspectCommand()
        : base("inspect", "Lists the layers with shapes, parameters and multiply-adds, and what the default plan does with each.")
    {
        Add(modelFile);
        Add(json);
        SetAction(Run);
    }

    private int Run(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        var path = parse.GetRequiredValue(modelFile);
        CommandPaths.Check([("the model", path)], []);
        var model = OnnxModel.Load(path);
        var scan = LayerFinder.Find(model);
        var plans = OnnxModelCompressor.PlanFormats(model, scan, new CompressionOptions());
        if (parse.GetValue(json))
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                parameters = model.ParameterCount,
                layers = plans.Select(p => new
                {
                    name = p.Layer.Name, op = p.Layer.OpType, weight = p.Layer.Weight.Shape, parameters = p.Layer.WeightCount,
                    macsPerSample = p.Layer.DenseMacsPerSample, defaultFormat = p.Format.ToString(), modes = p.Tensorization?.ToString(), reason = p.Reason,
                }),
                notCompressible = scan.Skipped.Select(s => new { name = s.Name, op = s.OpType, reason = s.Reason }),
            }, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }

        output.WriteLine($"{"layer",-16} {"op",-10} {"weight",-16} {"params",10} {"MACs/sample",13}  default plan");
        foreach (var plan in plans)
        {
            var layer = plan.Layer;
            string decision = plan.Format == LayerFormat.Dense ? $"dense: {plan.Reason}" : $"{plan.Format} {plan.Tensorization}";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{layer.Name,-16} {layer.OpType,-10} {"[" + string.Join(",", layer.Weight.Shape) + "]",-16} {layer.WeightCount,10:N0} {(layer.DenseMacsPerSample is { } m ? m.ToString("N0", CultureInfo.InvariantCulture) : "?"),13}  {decision}"));
        }
        foreach (var skipped in scan.Skipped)
            output.WriteLine($"{skipped.Name,-16} {skipped.OpType,-10} not compressible: {skipped.Reason}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{plans.Count} compressible layer(s), {scan.Skipped.Count} not; {model.ParameterCount:N0} parameters in all."));
        return 0;
    }
}
