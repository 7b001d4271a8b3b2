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
            Assert.AreEqual(Comparable(NonDefaultValue(property.PropertyType, progress)), Comparable(property.GetValue(copy)), property.Name);
        Assert.AreEqual(LayerOverride.Parse("/fc1/*=tt:3"), copy.LayerOverrides.Single(), "the copy has its own list");

        // The compressor takes the options themselves (they are CompressionOptions), so it sees what the copy holds.
        CompressionOptions compressor = copy;
        foreach (var setting in typeof(CompressionOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            Assert.AreEqual(typeof(HybridCompressionOptions).GetProperty(setting.Name)!.GetValue(copy), setting.GetValue(compressor), setting.Name);
        Assert.AreSame(copy.LayerOverrides.Single(), compressor.LayerOverrides.Single());
    }

    [TestMethod]
    public void CompressorOptionsCloneCarriesEverySettingAndHasItsOwnOverrides()
    {
        var options = new CompressionOptions();
        var settable = typeof(CompressionOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod?.IsPublic == true).ToArray();
        foreach (var property in settable)
            property.SetValue(options, NonDefaultValue(property.PropertyType, _ => { }));
        options.LayerOverrides.Add(LayerOverride.Parse("/fc1/*=tt:3"));

        var copy = options.Clone();
        options.LayerOverrides.Add(LayerOverride.Parse("*=dense"));

        Assert.AreEqual(typeof(CompressionOptions), copy.GetType());
        foreach (var property in settable)
        {
            Assert.AreNotEqual(Comparable(property.GetValue(new CompressionOptions())), Comparable(property.GetValue(copy)), $"{property.Name}: the test value is not the default");
            Assert.AreEqual(Comparable(NonDefaultValue(property.PropertyType, _ => { })), Comparable(property.GetValue(copy)), property.Name);
        }
        Assert.AreEqual(LayerOverride.Parse("/fc1/*=tt:3"), copy.LayerOverrides.Single(), "the copy has its own list");
    }

    [TestMethod]
    public void CloneThroughTheCompressorTypeIsStillTheEstimatorsOptionsAndIndependent()
    {
        var fineTuning = new SettingsOnlyFineTuning { MaxRows = 11 };
        var options = new HybridCompressionOptions { CalibrationRows = 50, MaxRank = 5, FineTuning = fineTuning };
        options.LayerOverrides.Add(LayerOverride.Parse("/fc1/*=tt:3"));

        // What the accuracy-aware search does with the options the estimator hands it.
        CompressionOptions asCompressor = options;
        var copy = asCompressor.Clone();
        options.LayerOverrides.Clear();
        fineTuning.MaxRows = 99;

        var hybrid = Assert.IsInstanceOfType<HybridCompressionOptions>(copy);
        Assert.AreEqual(50, hybrid.CalibrationRows);
        Assert.AreEqual(5, hybrid.MaxRank);
        Assert.AreNotSame(fineTuning, hybrid.FineTuning);
        Assert.AreEqual(11, hybrid.FineTuning!.MaxRows);
        Assert.HasCount(1, hybrid.LayerOverrides);
    }

    [TestMethod]
    public void ValidateThroughTheCompressorTypeChecksTheDataSettingsToo()
    {
        CompressionOptions options = new HybridCompressionOptions { CalibrationRows = -5 };
        Assert.AreEqual("CalibrationRows", Assert.ThrowsExactly<ArgumentOutOfRangeException>(options.Validate).ParamName);
        options = new HybridCompressionOptions { MaxRank = 0 };
        Assert.AreEqual("MaxRank", Assert.ThrowsExactly<ArgumentOutOfRangeException>(options.Validate).ParamName);
    }

    [TestMethod]
    public void EveryOptionIsSettableExceptTheOverrideList()
    {
        // Clone copies by one memberwise copy and then copies the override list: another option without a setter would
        // be a mutable object the copy shares with the original, unless Clone is taught to copy it too.
        foreach (var type in new[] { typeof(CompressionOptions), typeof(HybridCompressionOptions) })
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            Assert.IsTrue(property.SetMethod?.IsPublic == true || property.Name == nameof(CompressionOptions.LayerOverrides),
                $"{type.Name}.{property.Name} has no public setter; make Clone copy it and extend this test");
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

    /// <summary>A list setting by its values (the copy holds its own list), any other by itself.</summary>
    private static object? Comparable(object? value) => value is IEnumerable<int> list ? string.Join(",", list) : value;

    private static object NonDefaultValue(Type type, Action<string> progress)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying.IsEnum)
        {
            // The last value that no setting of this type defaults to.
            var defaults = typeof(CompressionOptions).GetProperties().Where(p => p.PropertyType == type).Select(p => p.GetValue(new CompressionOptions())).ToArray();
            return Enum.GetValues(underlying).Cast<object>().Last(value => !defaults.Contains(value));
        }
        return underlying switch
        {
            _ when underlying == typeof(int) => 7,
            _ when underlying == typeof(double) => 0.25,
            _ when underlying == typeof(bool) => true,
            _ when underlying == typeof(string) => "Label",
            _ when underlying == typeof(Action<string>) => progress,
            _ when underlying == typeof(RefitOptions) => NonDefaultRefit,
            _ when underlying == typeof(FineTuning) => new SettingsOnlyFineTuning { MaxRows = 11 },
            _ when underlying == typeof(IReadOnlyList<int>) => new[] { 3, 5 },
            _ => throw new AssertFailedException($"No test value for options of type {type}; extend NonDefaultValue."),
        };
    }
}
