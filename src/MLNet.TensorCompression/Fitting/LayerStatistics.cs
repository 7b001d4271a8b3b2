using System.Numerics.Tensors;
using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Fitting;

/// <summary>
/// What a layer's least-squares fit needs to know of its rows (x, y) — fed one chunk at a time, so the rows themselves
/// are never all in memory: with the input augmented by a constant 1 when the layer has a bias (x̃ = [x, 1]), the
/// cross term M = Σ x̃ᵀy, the target energy Σ‖y‖², and either the Gram matrix C = Σ x̃ᵀx̃ (K̃² doubles) or, when
/// fewer rows than inputs are expected, the rows themselves (rows × (K̃ + out), smaller then). The sum of squared errors of a
/// weight W̃ = [W, b] (out × K̃) over every row is then Σ‖W̃x̃ − y‖² = tr(W̃CW̃ᵀ) − 2tr(W̃M) + Σ‖y‖², and its gradient
/// 2(W̃C − Mᵀ): one out × K̃ × K̃ product however many rows there were (2·out·K̃·rows in the row form).
/// </summary>
internal sealed class LayerStatistics
{
    private readonly Matrix? gram;
    private readonly List<(double[] Inputs, double[] Targets)>? rows;
    private (Matrix Inputs, Matrix Targets)? rowMatrices;
    private (Matrix Basis, double[] Energies)? principalRows;

    /// <summary>Empty statistics for a layer of <paramref name="inputSize"/> inputs and <paramref name="outputSize"/> outputs.</summary>
    /// <param name="inputSize">K, the inputs per row (C_in·kh·kw for a convolution).</param>
    /// <param name="outputSize">The outputs per row.</param>
    /// <param name="hasBias">Whether the fit includes a bias (the input gains a constant 1).</param>
    /// <param name="expectedRows">How many rows will be added: below K̃ the rows are kept instead of the Gram matrix.</param>
    public LayerStatistics(int inputSize, int outputSize, bool hasBias, long expectedRows)
    {
        InputSize = inputSize;
        OutputSize = outputSize;
        HasBias = hasBias;
        int augmented = AugmentedSize;
        Cross = new Matrix(augmented, outputSize);
        InputSum = new double[augmented];
        if (expectedRows < augmented) rows = [];
        else gram = new Matrix(augmented, augmented);
    }

    /// <summary>K, the layer's inputs per row.</summary>
    public int InputSize { get; }

    /// <summary>The layer's outputs per row.</summary>
    public int OutputSize { get; }

    /// <summary>Whether the input is augmented with a constant 1 for the bias.</summary>
    public bool HasBias { get; }

    /// <summary>K̃ = K + 1 with a bias, else K.</summary>
    public int AugmentedSize => InputSize + (HasBias ? 1 : 0);

    /// <summary>M = Σ x̃ᵀy, K̃ × out.</summary>
    public Matrix Cross { get; }

    /// <summary>Σ‖y‖².</summary>
    public double TargetEnergy { get; private set; }

    /// <summary>Σx̃ over the rows (K̃ values; C's last column when the input is augmented).</summary>
    public double[] InputSum { get; }

    /// <summary>tr(C) = Σ‖x̃‖², the scale of the inputs (shrinkage is measured against it).</summary>
    public double InputEnergy { get; private set; }

    /// <summary>How many rows were added.</summary>
    public long RowCount { get; private set; }

    /// <summary>Adds rows: <paramref name="inputs"/> is rows × K̃ with the last column already 1 when <see cref="HasBias"/>; <paramref name="targets"/> rows × out.</summary>
    public void Add(Matrix inputs, Matrix targets)
    {
        if (inputs.Cols != AugmentedSize || targets.Cols != OutputSize || inputs.Rows != targets.Rows)
            throw new ArgumentException($"Expected rows of {AugmentedSize} inputs and {OutputSize} targets; got {inputs.Rows}×{inputs.Cols} and {targets.Rows}×{targets.Cols}.");
        if (inputs.Rows == 0) return;
        // Added in place: a 4,609-input layer's Gram matrix is 170 MB, and a product per chunk of rows, even into a
        // kept scratch array, doubled that.
        Gemm.AddTransposeAMultiply(inputs, targets, Cross);
        TargetEnergy += TensorPrimitives.Dot(targets.Data, targets.Data);
        for (int row = 0; row < inputs.Rows; row++) TensorPrimitives.Add(InputSum, inputs.Row(row), InputSum);
        InputEnergy += TensorPrimitives.Dot(inputs.Data, inputs.Data);
        RowCount += inputs.Rows;
        if (gram is not null) Gemm.AddGramOfColumns(inputs, gram);
        else
        {
            rows!.Add((inputs.Data[..(inputs.Rows * inputs.Cols)], targets.Data[..(targets.Rows * targets.Cols)]));
            rowMatrices = null;
            principalRows = null;
        }
    }

    /// <summary>True when the rows are kept (fewer rows than inputs), so that <see cref="MiniBatch"/> can draw from them.</summary>
    public bool KeepsRows => rows is not null;

    /// <summary>Statistics of <paramref name="count"/> rows drawn at random (with replacement) from the kept rows.</summary>
    public LayerStatistics MiniBatch(int count, Random random)
    {
        if (!KeepsRows) throw new InvalidOperationException("Mini-batches are drawn from kept rows; these statistics hold a Gram matrix instead.");
        var (x, y) = Rows();
        var inputs = new Matrix(count, x.Cols);
        var targets = new Matrix(count, y.Cols);
        for (int i = 0; i < count; i++)
        {
            int row = random.Next(x.Rows);
            x.Row(row).CopyTo(inputs.Row(i));
            y.Row(row).CopyTo(targets.Row(i));
        }
        var batch = new LayerStatistics(InputSize, OutputSize, HasBias, expectedRows: 0);
        batch.Add(inputs, targets);
        return batch;
    }

    /// <summary>
    /// W̃·C for a weight W̃ (any number of rows × K̃): from the Gram matrix, or from kept rows: exactly, (W̃·Xᵀ)·X, when that
    /// costs no more than it would for an out-row weight over <see cref="PrincipalRows"/> rows (few rows or a
    /// few-row W̃, as a product form's factor is), else as (W̃·Vᵣ)·Λᵣ·Vᵣᵀ over the <see cref="PrincipalRows"/>
    /// directions of the rows that hold nearly all their energy (the dropped share is <see cref="DroppedInputEnergy"/>).
    /// </summary>
    public Matrix TimesGram(Matrix weight)
    {
        if (gram is not null) return Gemm.Multiply(weight, gram);
        if (MultipliesExactly(weight.Rows))
        {
            var x = Rows().Inputs;
            return Gemm.Multiply(Gemm.MultiplyTransposeB(weight, x), x);
        }
        var (basis, energies) = principalRows ??= PrincipalDirections();
        var projected = Gemm.MultiplyTransposeB(weight, basis);
        for (int o = 0; o < projected.Rows; o++) TensorPrimitives.Multiply(projected.Row(o), energies, projected.Row(o));
        return Gemm.Multiply(projected, basis);
    }

    /// <summary>Whether <see cref="TimesGram"/> of a weight with <paramref name="weightRows"/> rows is exact: from a Gram matrix, or from every kept row.</summary>
    public bool MultipliesExactly(int weightRows) =>
        gram is not null || RowCount <= PrincipalRows || (long)weightRows * RowCount <= (long)OutputSize * PrincipalRows;

    /// <summary>Most directions of the kept rows that <see cref="TimesGram"/> uses: a product with them costs 2·out·K̃·this, not 2·out·K̃·rows.</summary>
    public const int PrincipalRows = 256;

    /// <summary>The share of Σ‖x̃‖² outside the directions <see cref="TimesGram"/> uses (0 for a Gram matrix).</summary>
    public double DroppedInputEnergy { get; private set; }

    // The top right singular vectors of the rows (r × K̃) and their energies σ²: C ≈ VᵣᵀΛᵣVᵣ.
    private (Matrix Basis, double[] Energies) PrincipalDirections()
    {
        var x = Rows().Inputs;
        var svd = TruncatedSvd.Compute(x, Math.Min(PrincipalRows, Math.Min(x.Rows, x.Cols)), maxDiscardedNormSquared: 0);
        DroppedInputEnergy = InputEnergy == 0 ? 0 : svd.DiscardedNormSquared / InputEnergy;
        return (svd.Vt, svd.SingularValues.Select(s => s * s).ToArray());
    }

    /// <summary>Σ‖W̃x̃ − y‖² over every row added.</summary>
    public double SumOfSquaredErrors(Matrix weight) => SumOfSquaredErrors(weight, TimesGram(weight));

    /// <summary>
    /// Σ‖W̃x̃ − y‖² exactly, for judging a fit on held-back rows: as <see cref="SumOfSquaredErrors(Matrix)"/>, but from the
    /// kept rows themselves (2·out·K̃·rows) when <see cref="TimesGram"/> would use only their principal directions,
    /// whose error it underestimates.
    /// </summary>
    public double ExactSumOfSquaredErrors(Matrix weight)
    {
        if (!KeepsRows || RowCount <= PrincipalRows) return SumOfSquaredErrors(weight);
        var (x, y) = Rows();
        var residual = Gemm.MultiplyTransposeB(x, weight);
        TensorPrimitives.Subtract(residual.Data, y.Data, residual.Data);
        return TensorPrimitives.SumOfSquares(residual.Data);
    }

    /// <summary>
    /// Σ‖W̃x̃ − y‖² exactly for W̃ = Ũ·Ỹ (<paramref name="left"/> out × q, <paramref name="right"/> q × K̃), through
    /// products with q rows: from kept rows as ‖(X·Ỹᵀ)·Ũᵀ − Y‖², else tr(ŨᵀŨ·ỸCỸᵀ) − 2tr(Ũ·ỸM) + Σ‖y‖².
    /// </summary>
    public double ExactSumOfSquaredErrors(Matrix left, Matrix right)
    {
        if (KeepsRows)
        {
            var (x, y) = Rows();
            var residual = Gemm.MultiplyTransposeB(Gemm.MultiplyTransposeB(x, right), left);
            TensorPrimitives.Subtract(residual.Data, y.Data, residual.Data);
            return TensorPrimitives.SumOfSquares(residual.Data);
        }
        var quadratic = Gemm.MultiplyTransposeB(TimesGram(right), right);
        double value = TensorPrimitives.Dot(Gemm.TransposeAMultiply(left, left).Data, quadratic.Data)
            - (2 * TraceOfProduct(left, Gemm.Multiply(right, Cross))) + TargetEnergy;
        return Math.Max(0, value);
    }

    /// <summary>Σ‖W̃x̃ − y‖², given <paramref name="timesGram"/> = W̃·C already computed.</summary>
    public double SumOfSquaredErrors(Matrix weight, Matrix timesGram) =>
        Math.Max(0, TensorPrimitives.Dot(timesGram.Data, weight.Data) - (2 * TraceOfProduct(weight, Cross)) + TargetEnergy);

    /// <summary>The gradient 2(W̃C − Mᵀ) of <see cref="SumOfSquaredErrors(Matrix)"/>, given W̃·C.</summary>
    public Matrix Gradient(Matrix timesGram)
    {
        var gradient = new Matrix(timesGram.Rows, timesGram.Cols);
        for (int o = 0; o < OutputSize; o++)
        {
            var row = gradient.Row(o);
            var product = timesGram.Row(o);
            for (int k = 0; k < AugmentedSize; k++) row[k] = 2 * (product[k] - Cross.Data[(k * OutputSize) + o]);
        }
        return gradient;
    }

    // tr(A·B) for A (m × n) and B (n × m).
    private static double TraceOfProduct(Matrix weight, Matrix cross)
    {
        double trace = 0;
        for (int o = 0; o < weight.Rows; o++)
        {
            var row = weight.Row(o);
            for (int k = 0; k < weight.Cols; k++) trace += row[k] * cross.Data[(k * cross.Cols) + o];
        }
        return trace;
    }

    private (Matrix Inputs, Matrix Targets) Rows()
    {
        if (rowMatrices is { } cached) return cached;
        var inputs = new double[RowCount * AugmentedSize];
        var targets = new double[RowCount * OutputSize];
        long inputOffset = 0, targetOffset = 0;
        foreach (var (x, y) in rows!)
        {
            x.CopyTo(inputs, inputOffset);
            y.CopyTo(targets, targetOffset);
            inputOffset += x.Length;
            targetOffset += y.Length;
        }
        // The list now holds the matrices' arrays alone, so the rows are not kept twice.
        rows!.Clear();
        rows.Add((inputs, targets));
        rowMatrices = (new Matrix((int)RowCount, AugmentedSize, inputs), new Matrix((int)RowCount, OutputSize, targets));
        return rowMatrices.Value;
    }
}
