using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Emission;

/// <summary>
/// One execution form of a factorised layer as a custom-domain op: the op's name and overload, the tensors it reads,
/// the attributes that describe the factorisation, and its body. Each form is a subclass (<see cref="ReconstructedOp"/>
/// for any format; a factor-chain op per format and layer kind); <see cref="FactorizedLayerEmitter"/> picks one.
/// </summary>
internal abstract class FactorizedOp
{
    /// <summary>Sets the weight.</summary>
    protected FactorizedOp(FactorizedWeight weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        Weight = weight;
    }

    /// <summary>The factorised weight.</summary>
    public FactorizedWeight Weight { get; }

    /// <summary>The layer being replaced.</summary>
    public CompressibleLayer Layer => Weight.Layer;

    /// <summary>The op (function) name, e.g. <c>TTLinear</c>.</summary>
    public abstract string Name { get; }

    /// <summary>What the op computes, for the function's doc string.</summary>
    public abstract string Description { get; }

    /// <summary>The factors the op reads after its activation input, in input order.</summary>
    public abstract IReadOnlyList<FactorTensor> Factors { get; }

    /// <summary>The bias, laid out for the body, or null when the layer has none.</summary>
    public abstract FactorTensor? Bias { get; }

    /// <summary>Node attributes that show the factorisation to a reader of the model (the body does not read them).</summary>
    public abstract IReadOnlyList<AttributeProto> DescriptiveAttributes { get; }

    /// <summary>Multiply-adds of the body for one application of the weight (a row of x, a column of W·x, an output pixel).</summary>
    public abstract long MacsPerApplication { get; }

    /// <summary>
    /// Weight values the layer holds while it runs, after ONNX Runtime has folded what is constant at session load: the
    /// factors as stored, for a chain of contractions (which folds nothing).
    /// </summary>
    public virtual long RuntimeWeightCount => Weight.FactorParameterCount;

    /// <summary>
    /// The function overload: everything the body's node sequence depends on (form, d or the tree, schedule, variant, bias) and
    /// nothing else, so layers that differ only in sizes share one function.
    /// </summary>
    public string Overload => FormPrefix + Structure + Variant + (Bias is null ? "" : "_bias");

    /// <summary>The overload's prefix naming the execution form, e.g. <c>dense_</c>; empty for the factor chains.</summary>
    protected virtual string FormPrefix => "";

    /// <summary>The factorisation's structure and schedule as they shape the body, e.g. <c>d3_rtl</c> or <c>((0,1),2)_train</c>.</summary>
    protected abstract string Structure { get; }

    /// <summary>The layer frame's variant, e.g. <c>_left</c>; empty for the plain one.</summary>
    protected abstract string Variant { get; }

    /// <summary>Writes the body: reads <see cref="OpBodyNames.Input"/>, the factors and the bias; writes <see cref="OpBodyNames.Output"/>.</summary>
    public abstract void EmitBody(OpBodyBuilder body, OpBodyNames io);
}
