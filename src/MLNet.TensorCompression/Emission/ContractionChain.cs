using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Emission;

/// <summary>
/// The plan of a factorised op's body: the activation between steps is viewed as [lead, axis₀ … axis_k, tail], where
/// lead (batch and any other leading dimensions) is known only at run time, the axes are static (input modes not yet
/// contracted, output modes produced, ranks in flight) and tail is 1 for y = x·Wᵀ or known only at run time (the pixels
/// of a convolution, the columns of x in W·x). Each step contracts a run of adjacent axes with a factor matrix in a
/// single MatMul whose product takes their place, so the only data movement is the MatMul's own (Transposes of the
/// activation cost more than the MatMuls at these sizes). When two axes to contract are not adjacent, a Transpose
/// swaps the first past the axes between them.
/// </summary>
internal sealed class ContractionChain
{
    private readonly List<ChainAxis> axes;
    private readonly bool dynamicTail;
    private readonly List<Step> steps = [];

    /// <summary>Starts a plan.</summary>
    /// <param name="initialAxes">The static axes of the activation the chain receives.</param>
    /// <param name="dynamicTail">
    /// True when the activation has a trailing extent known only at run time; the chain then expects its input with
    /// the lead as axis 0 (a single leading axis) and keeps it there. False for tail 1, where the input may have any
    /// number of leading axes.
    /// </param>
    public ContractionChain(IEnumerable<ChainAxis> initialAxes, bool dynamicTail)
    {
        axes = initialAxes.ToList();
        this.dynamicTail = dynamicTail;
    }

    /// <summary>Multiply-adds of the planned steps for one unit of lead and tail (one application of the weight).</summary>
    public long MacsPerApplication { get; private set; }

    /// <summary>Position of the axis with the given key.</summary>
    public int IndexOf(string key)
    {
        int index = axes.FindIndex(a => a.Key == key);
        return index >= 0 ? index : throw new InvalidOperationException($"The chain has no axis '{key}' (axes: {string.Join(", ", axes)}).");
    }

    /// <summary>
    /// Plans the contraction of the <paramref name="count"/> axes at <paramref name="position"/> with a factor matrix
    /// [(produced axes), (contracted axes)] stored as an initializer; the produced axes take their place.
    /// </summary>
    /// <param name="position">The first contracted axis.</param>
    /// <param name="count">How many adjacent axes are contracted.</param>
    /// <param name="produced">The axes the step produces, in order.</param>
    /// <param name="role">The factor's role.</param>
    /// <param name="matrix">The matrix, row-major.</param>
    /// <returns>The factor laid out as the step's MatMul reads it.</returns>
    public FactorTensor Contract(int position, int count, IReadOnlyList<ChainAxis> produced, string role, float[] matrix) =>
        Plan(position, count, produced, role, matrix)!;

    /// <summary>
    /// Plans a contraction like <see cref="Contract"/> with a matrix the body computes from other factors (on constants,
    /// folded at session load) and provides as [(produced), (contracted)] under the role's name.
    /// </summary>
    public void ContractComputed(int position, int count, IReadOnlyList<ChainAxis> produced, string role) =>
        Plan(position, count, produced, role, matrix: null);

    private FactorTensor? Plan(int position, int count, IReadOnlyList<ChainAxis> produced, string role, float[]? matrix)
    {
        int before = Product(0, position), contracted = Product(position, count), after = Product(position + count, axes.Count - position - count);
        int producedSize = produced.Aggregate(1, (a, b) => a * b.Size);
        if (matrix is not null && matrix.Length != (long)producedSize * contracted)
            throw new ArgumentException($"Factor '{role}' holds {matrix.Length} values; a {producedSize}×{contracted} matrix was expected.", nameof(matrix));

        // With tail 1 and nothing after the contracted axes, the MatMul would be a batch of matrix-vector products;
        // x·Fᵀ does the same work as one matrix product.
        bool factorOnRight = !dynamicTail && position + count == axes.Count;
        long[] shape = (dynamicTail, factorOnRight) switch
        {
            (true, _) => [0, before, contracted, -1],
            (false, true) => [-1, contracted],
            (false, false) => [-1, contracted, after],
        };
        steps.Add(new Step(shape, role, factorOnRight ? StepKind.FactorOnRight : StepKind.FactorOnLeft, Computed: matrix is null));
        MacsPerApplication += (long)before * producedSize * contracted * after;
        axes.RemoveRange(position, count);
        axes.InsertRange(position, produced);

        if (matrix is null) return null;
        if (!factorOnRight) return new FactorTensor(role, [producedSize, contracted], matrix);
        var transposed = new float[matrix.Length];
        TensorPermutation.Permute<float, float>(matrix, transposed, [producedSize, contracted], [1, 0]);
        return new FactorTensor(role, [contracted, producedSize], transposed);
    }

    /// <summary>Plans a Transpose that moves the axis at <paramref name="position"/> past the <paramref name="gap"/> axes after it.</summary>
    public void Swap(int position, int gap)
    {
        int before = Product(0, position), moved = axes[position].Size, passed = Product(position + 1, gap);
        long[] shape = dynamicTail
            ? [0, before, moved, passed, -1]
            : [-1, moved, passed, Product(position + 1 + gap, axes.Count - position - 1 - gap)];
        steps.Add(new Step(shape, null, StepKind.Swap, Computed: false));
        var axis = axes[position];
        axes.RemoveAt(position);
        axes.Insert(position + gap, axis);
    }

    /// <summary>Writes the planned steps; returns the name of the final activation (in the view of the last step).</summary>
    /// <param name="body">Where the nodes go.</param>
    /// <param name="input">The activation (with the lead as axis 0 when the tail is dynamic).</param>
    /// <param name="factorName">Maps a factor's role to the name the body reads it under.</param>
    public string Emit(OpBodyBuilder body, string input, Func<string, string> factorName)
    {
        var state = input;
        for (int i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var view = body.Node("Reshape", $"step{i}_view", [state, body.LayerInts($"step{i}_shape", step.Shape)]);
            state = step.Kind switch
            {
                StepKind.FactorOnLeft => body.Node("MatMul", $"step{i}", [factorName(step.Role!), view]),
                StepKind.FactorOnRight when step.Computed => body.Node("MatMul", $"step{i}",
                    [view, body.Node("Transpose", $"step{i}_factor", [factorName(step.Role!)], OnnxAttributes.Ints("perm", [1L, 0L]))]),
                StepKind.FactorOnRight => body.Node("MatMul", $"step{i}", [view, factorName(step.Role!)]),
                _ => body.Node("Transpose", $"step{i}", [view], OnnxAttributes.Ints("perm", dynamicTail ? [0, 1, 3, 2, 4] : new long[] { 0, 2, 1, 3 })),
            };
        }
        return state;
    }

    private int Product(int start, int count)
    {
        int product = 1;
        for (int i = start; i < start + count; i++) product *= axes[i].Size;
        return product;
    }

    private enum StepKind { FactorOnLeft, FactorOnRight, Swap }

    private sealed record Step(long[] Shape, string? Role, StepKind Kind, bool Computed);
}
