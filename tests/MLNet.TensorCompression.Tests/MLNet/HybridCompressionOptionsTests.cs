using System.Reflection;
using Microsoft.ML;

namespace MLNet.TensorCompression.Tests.MLNet;

/// <summary>The ML.NET options: defaults, validation that names the option, and that they carry every compressor setting.</summary>
[TestClass]
public sealed class HybridCompressionOptionsTests
{
    private static readonly string LeNet = TestModels.Path("lenet5-fashion.onnx");

    [TestMethod]
    public void DefaultsAreTheCompressorsPlusCalibrationOn1000Rows()
    {
        var options = new HybridCompressionOptions();
        var compressor = new CompressionOptions();
        Assert.AreEqual(compressor.Policy, options.Policy);
        Assert.AreEqual(compressor.MaxRank, options.MaxRank);
        Assert.AreEqual(compressor.MinimumLayerParameters, options.MinimumLayerParameters);
        Assert.AreEqual(compressor.ExecutionMode, options.ExecutionMode);
        Assert.AreEqual(1000, options.CalibrationRows);
        Assert.IsNull(options.MaxAccuracyDrop);
        Assert.IsNull(options.LabelColumnName);
        Assert.AreEqual(0, options.Seed);
    }

    [TestMethod]
    [DataRow("MaxRank")]
    [DataRow("Tolerance")]
    [DataRow("TargetCompressionRatio")]
    [DataRow("MinimumLayerParameters")]
    [DataRow("CalibrationRows")]
    [DataRow("MaxAccuracyDrop")]
    public void AnOutOfRangeOptionIsNamedWhenTheEstimatorIsCreated(string option)
    {
        var options = new HybridCompressionOptions { LabelColumnName = "Label" };
        switch (option)
        {
            case "MaxRank": options.MaxRank = 0; break;
            case "Tolerance": options.Tolerance = 1.5; break;
            case "TargetCompressionRatio": options.TargetCompressionRatio = double.PositiveInfinity; break;
            case "MinimumLayerParameters": options.MinimumLayerParameters = -1; break;
            case "CalibrationRows": options.CalibrationRows = -5; break;
            case "MaxAccuracyDrop": options.MaxAccuracyDrop = 1.5; break;
        }

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext().Transforms.CompressHybrid(LeNet, options));
        Assert.AreEqual(option, error.ParamName);
        Assert.Contains(option, error.Message);
    }

    [TestMethod]
    public void MaxAccuracyDropWithoutLabelColumnNamesBoth()
    {
        var options = new HybridCompressionOptions { MaxAccuracyDrop = 0.01 };
        var error = Assert.ThrowsExactly<ArgumentException>(() => new MLContext().Transforms.CompressHybrid(LeNet, options));
        Assert.AreEqual("LabelColumnName", error.ParamName);
        Assert.Contains("MaxAccuracyDrop = 0.01", error.Message);
        Assert.Contains("LabelColumnName", error.Message);
    }

    [TestMethod]
    public void MaxAccuracyDropNeedsCalibrationRows()
    {
        var options = new HybridCompressionOptions { MaxAccuracyDrop = 0.01, LabelColumnName = "Label", CalibrationRows = 0 };
        var error = Assert.ThrowsExactly<ArgumentException>(options.Validate);
        Assert.AreEqual("MaxAccuracyDrop", error.ParamName);
        Assert.Contains("CalibrationRows = 0", error.Message);
    }

    [TestMethod]
    public void EveryCompressorSettingIsAnOptionOfTheSameNameAndType()
    {
        var hybrid = typeof(HybridCompressionOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).ToDictionary(p => p.Name);
        foreach (var setting in typeof(CompressionOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            Assert.IsTrue(hybrid.TryGetValue(setting.Name, out var option), $"HybridCompressionOptions lacks {setting.Name}");
            Assert.AreEqual(setting.PropertyType, option.PropertyType, setting.Name);
        }
    }

    [TestMethod]
    public void CloneCopiesEveryOptionAndTheCompressorSeesThem()
    {
        var options = new HybridCompressionOptions();
        Action<string> progress = _ => { };
        foreach (var property in typeof(HybridCompressionOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            property.SetValue(options, NonDefaultValue(property.PropertyType, progress));
        options.LayerOverrides.Add(LayerOverride.Parse("/fc1/*=tt:3"));

        var copy = options.Clone();
        options.LayerOverrides.Clear();
        options.MaxRank = 99;
        options.FineTuning!.MaxRows = 99;
        Assert.AreNotSame(options.FineTuning, copy.FineTuning, "the copy has its own fine-tuning settings");

        foreach (var property in typeof(HybridCompressionOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            Assert.AreEqual(NonDefaultValue(property.PropertyType, progress), property.GetValue(copy), property.Name);
        Assert.AreEqual(LayerOverride.Parse("/fc1/*=tt:3"), copy.LayerOverrides.Single(), "the copy has its own list");

        foreach (var setting in typeof(CompressionOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            Assert.AreEqual(typeof(HybridCompressionOptions).GetProperty(setting.Name)!.GetValue(copy), setting.GetValue(copy.CompressionOptions), setting.Name);
        Assert.AreSame(copy.LayerOverrides.Single(), copy.CompressionOptions.LayerOverrides.Single());
    }

    /// <summary>Equal by settings, so the estimator's copy compares equal to the caller's instance.</summary>
    private sealed class SettingsOnlyFineTuning : FineTuning
    {
        public override FineTuningOutcome Run(FineTuningRequest request) => throw new NotSupportedException();
        public override bool Equals(object? other) => other is SettingsOnlyFineTuning tuning && tuning.MaxRows == MaxRows;
        public override int GetHashCode() => MaxRows.GetHashCode();
    }

    // A record: equal by value, so the copy's Refit compares equal to this one.
    private static readonly RefitOptions NonDefaultRefit = new() { Steps = 7, BatchSize = 9, LearningRate = 0.5 };

    private static object NonDefaultValue(Type type, Action<string> progress)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying.IsEnum) return Enum.GetValues(underlying).Cast<object>().Last();
        return underlying switch
        {
            _ when underlying == typeof(int) => 7,
            _ when underlying == typeof(double) => 0.25,
            _ when underlying == typeof(bool) => true,
            _ when underlying == typeof(string) => "Label",
            _ when underlying == typeof(Action<string>) => progress,
            _ when underlying == typeof(RefitOptions) => NonDefaultRefit,
            _ when underlying == typeof(FineTuning) => new SettingsOnlyFineTuning { MaxRows = 11 },
            _ => throw new AssertFailedException($"No test value for options of type {type}; extend NonDefaultValue."),
        };
    }
}
