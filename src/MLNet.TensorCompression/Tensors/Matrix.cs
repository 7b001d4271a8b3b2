using System.Numerics.Tensors;

namespace MLNet.TensorCompression.Tensors;

/// <summary>
/// Row-major dense matrix of doubles: a thin view over a <see cref="double"/> array whose length is exactly
/// <see cref="Rows"/> × <see cref="Cols"/>. Element (i, j) is <c>Data[i * Cols + j]</c>.
/// </summary>
internal sealed class Matrix
{
    // Transpose tile: 32×32 doubles = 8 KB read + 8 KB written, both inside L1.
    private const int TransposeTile = 32;

    // Chunk length for the norm: each chunk is summed by SIMD lanes, the chunk sums are added pairwise.
    private const int NormChunk = 1024;

    /// <summary>Creates a zeroed <paramref name="rows"/> × <paramref name="cols"/> matrix.</summary>
    /// <param name="rows">Number of rows (may be 0).</param>
    /// <param name="cols">Number of columns (may be 0).</param>
    public Matrix(int rows, int cols)
        : this(rows, cols, new double[CheckedLength(rows, cols)])
    {
    }

    /// <summary>Wraps <paramref name="data"/> (no copy) as a row-major <paramref name="rows"/> × <paramref name="cols"/> matrix.</summary>
    /// <param name="rows">Number of rows (may be 0).</param>
    /// <param name="cols">Number of columns (may be 0).</param>
    /// <param name="data">Row-major elements; its length must be exactly <paramref name="rows"/> × <paramref name="cols"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="data"/> has the wrong length.</exception>
    public Matrix(int rows, int cols, double[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        long length = CheckedLength(rows, cols);
        if (data.Length != length)
        {
            throw new ArgumentException($"data has {data.Length} elements but a {rows}×{cols} matrix needs {length}.", nameof(data));
        }

        Rows = rows;
        Cols = cols;
        Data = data;
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Cols { get; }

    /// <summary>The row-major elements, shared with every view made by <see cref="Reshape"/>.</summary>
    public double[] Data { get; }

    /// <summary>Gets or sets element (<paramref name="row"/>, <paramref name="col"/>).</summary>
    /// <param name="row">Zero-based row index.</param>
    /// <param name="col">Zero-based column index.</param>
    public double this[int row, int col]
    {
        get => Data[Index(row, col)];
        set => Data[Index(row, col)] = value;
    }

    /// <summary>Returns an identity matrix of order <paramref name="n"/>.</summary>
    /// <param name="n">Order (may be 0).</param>
    public static Matrix Identity(int n)
    {
        var identity = new Matrix(n, n);
        for (int i = 0; i < n; i++)
        {
            identity.Data[(i * n) + i] = 1.0;
        }

        return identity;
    }

    /// <summary>Returns row <paramref name="row"/> as a writable span over <see cref="Data"/>.</summary>
    /// <param name="row">Zero-based row index.</param>
    public Span<double> Row(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
        return Data.AsSpan(row * Cols, Cols);
    }

    /// <summary>Returns a matrix of another shape over the same data (no copy).</summary>
    /// <param name="rows">New number of rows.</param>
    /// <param name="cols">New number of columns; <paramref name="rows"/> × <paramref name="cols"/> must equal the element count.</param>
    /// <exception cref="ArgumentException">The element counts differ.</exception>
    public Matrix Reshape(int rows, int cols) => new(rows, cols, Data);

    /// <summary>Returns the transpose as a new matrix.</summary>
    public Matrix Transpose()
    {
        var result = new Matrix(Cols, Rows);
        TransposeInto(Data, Rows, Cols, result.Data);
        return result;
    }

    /// <summary>
    /// Returns the sum of the squared elements. Each 1024-element chunk is summed by SIMD lanes
    /// and the chunk sums are added pairwise, so the rounding error grows with log(n), not n.
    /// </summary>
    public double FrobeniusNormSquared() => PairwiseSumOfSquares(Data);

    /// <summary>Returns a deep copy.</summary>
    public Matrix Clone() => new(Rows, Cols, (double[])Data.Clone());

    /// <summary>Writes the transpose of the row-major <paramref name="rows"/> × <paramref name="cols"/> <paramref name="source"/> into <paramref name="destination"/>.</summary>
    internal static void TransposeInto(ReadOnlySpan<double> source, int rows, int cols, Span<double> destination)
    {
        // Tiles keep both the reads and the strided writes inside L1; a plain double loop misses cache on every write once cols is large.
        for (int i0 = 0; i0 < rows; i0 += TransposeTile)
        {
            int i1 = Math.Min(i0 + TransposeTile, rows);
            for (int j0 = 0; j0 < cols; j0 += TransposeTile)
            {
                int j1 = Math.Min(j0 + TransposeTile, cols);
                for (int i = i0; i < i1; i++)
                {
                    ReadOnlySpan<double> sourceRow = source.Slice(i * cols, cols);
                    for (int j = j0; j < j1; j++)
                    {
                        destination[(j * rows) + i] = sourceRow[j];
                    }
                }
            }
        }
    }

    private static double PairwiseSumOfSquares(ReadOnlySpan<double> values)
    {
        if (values.Length <= NormChunk)
        {
            return TensorPrimitives.SumOfSquares(values);
        }

        // Split on a chunk boundary; half < Length because Length > NormChunk.
        int half = Math.Max(NormChunk, values.Length / 2 / NormChunk * NormChunk);
        return PairwiseSumOfSquares(values[..half]) + PairwiseSumOfSquares(values[half..]);
    }

    private static long CheckedLength(int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        long length = (long)rows * cols;
        if (length > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), $"A {rows}×{cols} matrix does not fit in one array.");
        }

        return length;
    }

    private int Index(int row, int col)
    {
        if ((uint)row >= (uint)Rows)
        {
            throw new ArgumentOutOfRangeException(nameof(row));
        }

        if ((uint)col >= (uint)Cols)
        {
            throw new ArgumentOutOfRangeException(nameof(col));
        }

        return (row * Cols) + col;
    }
}
