using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MLNet.TensorCompression.Tensors;

/// <summary>
/// Dense double-precision matrix products on <see cref="Matrix"/>: cache-blocked, SIMD and parallel.
/// </summary>
/// <remarks>
/// <para>
/// All five products run one GotoBLAS-style driver. The logical operands a (m×k) and b (k×n) are read through
/// strides, so a transposed operand is never materialised; blocks of them are packed into contiguous micro-panels
/// (a: MR rows interleaved per depth step, b: NR columns per depth step) that a register-blocked 8×8
/// micro-kernel (16 Vector256 accumulators, FMA) streams through. Packing an operand that is contiguous along the
/// depth is an 8×4 transpose in AVX registers, packing the other layout a row copy; both cost O(block) against
/// O(block × other side) multiply-adds. Without hardware Vector256/AVX the same code runs on the portable
/// fallbacks: correct, but slow.
/// </para>
/// <para>
/// Blocking (Zen 4: 32 KB L1d, 1 MB L2 per core): a kc×NR micro-panel of b (16 KB) stays in L1, an MC×kc block of a
/// (256 KB) in L2, a kc×NC panel of b (1 MB) in L2/L3.
/// </para>
/// <para>
/// Parallelism: when the output is small and the depth long (a·aᵀ of a short-fat matrix, aᵀ·a of a tall-skinny one)
/// the depth is split between workers, each accumulating a private copy of the output that is summed at the end;
/// otherwise output blocks are handed out to workers dynamically.
/// </para>
/// </remarks>
internal static class Gemm
{
    private const int MR = 8;
    private const int NR = 8;
    private const int KC = 256;
    private const int MC = 128;
    private const int NC = 512;

    // Below this many multiply-adds a single thread is faster than scheduling workers.
    private const long ParallelThreshold = 64L * 64 * 64;

    // Depth splitting needs one private output per worker; beyond this size output blocks parallelise well anyway.
    private const long DepthSplitMaxOutput = 512L * 512;

    [ThreadStatic]
    private static double[]? packedA;

    [ThreadStatic]
    private static double[]? packedB;

    /// <summary>Returns a·b for a (m×k) and b (k×n).</summary>
    /// <param name="a">Left factor, m×k.</param>
    /// <param name="b">Right factor, k×n.</param>
    /// <exception cref="ArgumentException">The inner dimensions differ.</exception>
    public static Matrix Multiply(Matrix a, Matrix b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        RequireSameSize(a.Cols, b.Rows, "a.Cols", "b.Rows");
        return Run(new Operand(a.Data, a.Cols, 1), new Operand(b.Data, 1, b.Cols), a.Rows, b.Cols, a.Cols, lowerOnly: false);
    }

    /// <summary>Returns aᵀ·b for a (k×m) and b (k×n), without forming aᵀ.</summary>
    /// <param name="a">Factor whose transpose is taken, k×m.</param>
    /// <param name="b">Right factor, k×n.</param>
    /// <exception cref="ArgumentException">The row counts differ.</exception>
    public static Matrix TransposeAMultiply(Matrix a, Matrix b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        RequireSameSize(a.Rows, b.Rows, "a.Rows", "b.Rows");
        return Run(new Operand(a.Data, 1, a.Cols), new Operand(b.Data, 1, b.Cols), a.Cols, b.Cols, a.Rows, lowerOnly: false);
    }

    /// <summary>
    /// <paramref name="sum"/> += aᵀ·b for a (k×m) and b (k×n), in place: a running sum over chunks of rows needs no
    /// second m×n array (a 4,609-input layer's Gram matrix is 170 MB).
    /// </summary>
    /// <exception cref="ArgumentException">The row counts differ, or <paramref name="sum"/> is not m×n.</exception>
    public static void AddTransposeAMultiply(Matrix a, Matrix b, Matrix sum)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        RequireSameSize(a.Rows, b.Rows, "a.Rows", "b.Rows");
        Run(new Operand(a.Data, 1, a.Cols), new Operand(b.Data, 1, b.Cols), a.Cols, b.Cols, a.Rows, lowerOnly: false, sum);
    }

    /// <summary>Returns a·bᵀ for a (m×k) and b (n×k), without forming bᵀ.</summary>
    /// <param name="a">Left factor, m×k.</param>
    /// <param name="b">Factor whose transpose is taken, n×k.</param>
    /// <exception cref="ArgumentException">The column counts differ.</exception>
    public static Matrix MultiplyTransposeB(Matrix a, Matrix b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        RequireSameSize(a.Cols, b.Cols, "a.Cols", "b.Cols");
        return Run(new Operand(a.Data, a.Cols, 1), new Operand(b.Data, b.Cols, 1), a.Rows, b.Rows, a.Cols, lowerOnly: false);
    }

    /// <summary>Returns the symmetric a·aᵀ (rows × rows); only the lower triangle is computed, then mirrored.</summary>
    /// <param name="a">The matrix, typically short and fat.</param>
    public static Matrix Gram(Matrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        Matrix c = Run(new Operand(a.Data, a.Cols, 1), new Operand(a.Data, a.Cols, 1), a.Rows, a.Rows, a.Cols, lowerOnly: true);
        MirrorLowerToUpper(c);
        return c;
    }

    /// <summary>Returns the symmetric aᵀ·a (cols × cols); only the lower triangle is computed, then mirrored.</summary>
    /// <param name="a">The matrix, typically tall and skinny.</param>
    public static Matrix GramOfColumns(Matrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        Matrix c = Run(new Operand(a.Data, 1, a.Cols), new Operand(a.Data, 1, a.Cols), a.Cols, a.Cols, a.Rows, lowerOnly: true);
        MirrorLowerToUpper(c);
        return c;
    }

    /// <summary><paramref name="sum"/> += aᵀ·a, in place (see <see cref="AddTransposeAMultiply"/>); <paramref name="sum"/> must be symmetric, and stays so.</summary>
    /// <exception cref="ArgumentException"><paramref name="sum"/> is not cols × cols.</exception>
    public static void AddGramOfColumns(Matrix a, Matrix sum)
    {
        ArgumentNullException.ThrowIfNull(a);
        MirrorLowerToUpper(Run(new Operand(a.Data, 1, a.Cols), new Operand(a.Data, 1, a.Cols), a.Cols, a.Cols, a.Rows, lowerOnly: true, sum));
    }

    private static void RequireSameSize(int left, int right, string leftName, string rightName)
    {
        if (left != right)
        {
            throw new ArgumentException($"Inner dimensions differ: {leftName} = {left}, {rightName} = {right}.");
        }
    }

    private static void MirrorLowerToUpper(Matrix c)
    {
        int n = c.Rows;
        double[] d = c.Data;
        for (int i = 1; i < n; i++)
        {
            for (int j = 0; j < i; j++)
            {
                d[(j * n) + i] = d[(i * n) + j];
            }
        }
    }

    /// <summary>
    /// Returns a·b for the logical m×k operand a and k×n operand b, or <paramref name="sum"/> + a·b in
    /// <paramref name="sum"/> when given; with
    /// <paramref name="lowerOnly"/> only entries with j ≤ i are set.
    /// </summary>
    private static Matrix Run(Operand a, Operand b, int m, int n, int k, bool lowerOnly, Matrix? sum = null)
    {
        long length = (long)m * n;
        if (sum is not null && (sum.Rows != m || sum.Cols != n))
        {
            throw new ArgumentException($"The sum is {sum.Rows}×{sum.Cols}; the product is {m}×{n}.", nameof(sum));
        }

        if (m == 0 || n == 0 || k == 0)
        {
            return sum ?? new Matrix(m, n, new double[length]);
        }

        if (length > Array.MaxLength)
        {
            throw new ArgumentException($"A {m}×{n} product does not fit in one array.");
        }

        // Not zeroed: the first depth block stores rather than adds (unless there is a sum to add to), which saves a
        // pass over the output.
        var c = sum ?? new Matrix(m, n, GC.AllocateUninitializedArray<double>((int)length));

        long work = (long)m * n * k;
        int workers = work < ParallelThreshold ? 1 : Environment.ProcessorCount;
        var problem = new Problem(a, b, lowerOnly, AddToOutput: sum is not null);

        if (workers > 1 && (long)m * n <= DepthSplitMaxOutput && k >= 2 * KC * workers)
        {
            RunDepthSplit(problem, m, n, k, c, workers);
            return c;
        }

        // Output blocks: start from MC×NC and halve until every worker has a few blocks to balance with.
        int blockRows = MC;
        int blockCols = NC;
        while (workers > 1 && CeilDiv(m, blockRows) * (long)CeilDiv(n, blockCols) < 4 * workers && (blockCols > 64 || blockRows > 32))
        {
            if (blockCols > 64)
            {
                blockCols /= 2;
            }
            else
            {
                blockRows /= 2;
            }
        }

        int blocksDown = CeilDiv(m, blockRows);
        int blockCount = blocksDown * CeilDiv(n, blockCols);
        int next = -1;
        RunWorkers(Math.Min(workers, blockCount), () =>
        {
            int block;
            while ((block = Interlocked.Increment(ref next)) < blockCount)
            {
                int i0 = block % blocksDown * blockRows;
                int j0 = block / blocksDown * blockCols;
                if (lowerOnly && j0 > Math.Min(m, i0 + blockRows) - 1)
                {
                    continue;
                }

                ComputeBlock(problem, i0, Math.Min(m, i0 + blockRows), j0, Math.Min(n, j0 + blockCols), 0, k, c.Data, n, problem.AddToOutput);
            }
        });
        return c;
    }

    private static void RunDepthSplit(Problem problem, int m, int n, int k, Matrix c, int workers)
    {
        // Depth chunks are multiples of KC so every worker packs full blocks.
        int chunk = CeilDiv(CeilDiv(k, workers), KC) * KC;
        int parts = CeilDiv(k, chunk);
        var partials = new double[parts - 1][];
        RunWorkersIndexed(parts, part =>
        {
            double[] target = part == 0 ? c.Data : partials[part - 1] = GC.AllocateUninitializedArray<double>(m * n);
            int p0 = part * chunk;
            // The first part adds to c when c holds a sum; the others start fresh arrays.
            ComputeBlock(problem, 0, m, 0, n, p0, Math.Min(k, p0 + chunk), target, n, addToC: part == 0 && problem.AddToOutput);
        });

        foreach (double[] partial in partials)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(c.Data, partial, c.Data);
        }
    }

    private static void RunWorkers(int workers, Action body)
    {
        if (workers <= 1)
        {
            body();
            return;
        }

        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, _ => body());
    }

    private static void RunWorkersIndexed(int parts, Action<int> body)
    {
        if (parts <= 1)
        {
            body(0);
            return;
        }

        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, body);
    }

    /// <summary>c[i0..i1, j0..j1] (+)= a[i0..i1, p0..p1]·b[p0..p1, j0..j1], with c addressed as c[i·ldc + j], added when <paramref name="addToC"/>; skips tiles above the diagonal when the problem is lower-only.</summary>
    private static unsafe void ComputeBlock(Problem problem, int i0, int i1, int j0, int j1, int p0, int p1, double[] c, int ldc, bool addToC)
    {
        double[] bufferA = packedA ??= GC.AllocateUninitializedArray<double>(MC * KC, pinned: true);
        double[] bufferB = packedB ??= GC.AllocateUninitializedArray<double>(KC * NC, pinned: true);
        bool lowerOnly = problem.LowerOnly;

        fixed (double* aData = problem.A.Data)
        fixed (double* bData = problem.B.Data)
        fixed (double* cData = c)
        fixed (double* pa = bufferA)
        fixed (double* pb = bufferB)
        {
            for (int jc = j0; jc < j1; jc += NC)
            {
                int nc = Math.Min(NC, j1 - jc);
                for (int pc = p0; pc < p1; pc += KC)
                {
                    int kc = Math.Min(KC, p1 - pc);
                    Pack(bData + (jc * (long)problem.B.IndexStride) + (pc * (long)problem.B.DepthStride), problem.B.IndexStride, problem.B.DepthStride, nc, kc, NR, pb);
                    for (int ic = i0; ic < i1; ic += MC)
                    {
                        int mc = Math.Min(MC, i1 - ic);
                        if (lowerOnly && jc > ic + mc - 1)
                        {
                            continue;
                        }

                        Pack(aData + (ic * (long)problem.A.IndexStride) + (pc * (long)problem.A.DepthStride), problem.A.IndexStride, problem.A.DepthStride, mc, kc, MR, pa);
                        for (int jr = 0; jr < nc; jr += NR)
                        {
                            int cols = Math.Min(NR, nc - jr);
                            double* panelB = pb + (jr * kc);
                            for (int ir = 0; ir < mc; ir += MR)
                            {
                                int rows = Math.Min(MR, mc - ir);
                                if (lowerOnly && jc + jr > ic + ir + rows - 1)
                                {
                                    continue;
                                }

                                double* tile = cData + ((ic + ir) * (long)ldc) + jc + jr;
                                Kernel(kc, pa + (ir * kc), panelB, tile, ldc, rows, cols, accumulate: addToC || pc != p0);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Packs <paramref name="count"/> indices × <paramref name="depth"/> depth steps of an operand, element (x, p) at
    /// source[x·indexStride + p·depthStride], into micro-panels of <paramref name="width"/> indices: panel t holds
    /// indices t·width.. as depth-major rows of <paramref name="width"/> values, zero-padded past <paramref name="count"/>.
    /// </summary>
    private static unsafe void Pack(double* source, int indexStride, int depthStride, int count, int depth, int width, double* destination)
    {
        if (indexStride == 1)
        {
            // Indices are contiguous: read each depth step as one row (few long streams are what the prefetcher
            // and the TLB handle well) and deal its values out to the panels.
            long panelStride = (long)width * depth;
            for (int p = 0; p < depth; p++)
            {
                double* from = source + (p * (long)depthStride);
                double* to = destination + (p * width);
                for (int x0 = 0; x0 < count; x0 += width, from += width, to += panelStride)
                {
                    int valid = Math.Min(width, count - x0);
                    new ReadOnlySpan<double>(from, valid).CopyTo(new Span<double>(to, valid));
                    new Span<double>(to + valid, width - valid).Clear();
                }
            }

            return;
        }

        // Otherwise depth is contiguous (every operand has a unit stride on one side): a transpose per panel.
        Debug.Assert(depthStride == 1, "operands have a unit index or depth stride");
        for (int x0 = 0; x0 < count; x0 += width)
        {
            int valid = Math.Min(width, count - x0);
            double* panel = destination + (x0 * depth);
            double* origin = source + (x0 * (long)indexStride);
            int p = 0;
            if (valid == 8 && width == 8 && Avx.IsSupported)
            {
                for (; p + 4 <= depth; p += 4)
                {
                    Transpose8x4(origin + p, indexStride, panel + (p * 8));
                }
            }

            for (; p < depth; p++)
            {
                for (int x = 0; x < width; x++)
                {
                    panel[(p * width) + x] = x < valid ? origin[(x * (long)indexStride) + p] : 0;
                }
            }
        }
    }

    /// <summary>Reads 4 consecutive values from each of 8 rows <paramref name="stride"/> apart and writes them as 4 rows of 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Transpose8x4(double* source, int stride, double* destination)
    {
        Transpose4x4(source, stride, destination);
        Transpose4x4(source + (4 * (long)stride), stride, destination + 4);
    }

    /// <summary>4×4 transpose in registers: unpack pairs within 128-bit lanes, then swap lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Transpose4x4(double* source, int stride, double* destination)
    {
        Vector256<double> r0 = Avx.LoadVector256(source);
        Vector256<double> r1 = Avx.LoadVector256(source + stride);
        Vector256<double> r2 = Avx.LoadVector256(source + (2 * (long)stride));
        Vector256<double> r3 = Avx.LoadVector256(source + (3 * (long)stride));
        Vector256<double> t0 = Avx.UnpackLow(r0, r1);
        Vector256<double> t1 = Avx.UnpackHigh(r0, r1);
        Vector256<double> t2 = Avx.UnpackLow(r2, r3);
        Vector256<double> t3 = Avx.UnpackHigh(r2, r3);
        Avx.Store(destination, Avx.Permute2x128(t0, t2, 0x20));
        Avx.Store(destination + 8, Avx.Permute2x128(t1, t3, 0x20));
        Avx.Store(destination + 16, Avx.Permute2x128(t0, t2, 0x31));
        Avx.Store(destination + 24, Avx.Permute2x128(t1, t3, 0x31));
    }

    /// <summary>c[0..rows, 0..cols] (+)= Σₚ a[p]·b[p] over packed MR- and NR-wide micro-panels; adds when <paramref name="accumulate"/>, else stores.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Kernel(int depth, double* a, double* b, double* c, int ldc, int rows, int cols, bool accumulate)
    {
        Vector256<double> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<double> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<double> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector256<double> c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < depth; p++)
        {
            Vector256<double> b0 = Vector256.Load(b);
            Vector256<double> b1 = Vector256.Load(b + 4);
            Vector256<double> x = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(x, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(x, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(x, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(x, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            x = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(x, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
            x = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(x, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
            x = Vector256.Create(a[6]);
            c60 = Vector256.FusedMultiplyAdd(x, b0, c60);
            c61 = Vector256.FusedMultiplyAdd(x, b1, c61);
            x = Vector256.Create(a[7]);
            c70 = Vector256.FusedMultiplyAdd(x, b0, c70);
            c71 = Vector256.FusedMultiplyAdd(x, b1, c71);
            a += MR;
            b += NR;
        }

        if (rows == MR && cols == NR && !accumulate)
        {
            c00.Store(c); c01.Store(c + 4);
            c10.Store(c + ldc); c11.Store(c + ldc + 4);
            c20.Store(c + (2 * ldc)); c21.Store(c + (2 * ldc) + 4);
            c30.Store(c + (3 * ldc)); c31.Store(c + (3 * ldc) + 4);
            c40.Store(c + (4 * ldc)); c41.Store(c + (4 * ldc) + 4);
            c50.Store(c + (5 * ldc)); c51.Store(c + (5 * ldc) + 4);
            c60.Store(c + (6 * ldc)); c61.Store(c + (6 * ldc) + 4);
            c70.Store(c + (7 * ldc)); c71.Store(c + (7 * ldc) + 4);
            return;
        }

        if (rows == MR && cols == NR)
        {
            AddRow(c, c00, c01);
            AddRow(c + ldc, c10, c11);
            AddRow(c + (2 * ldc), c20, c21);
            AddRow(c + (3 * ldc), c30, c31);
            AddRow(c + (4 * ldc), c40, c41);
            AddRow(c + (5 * ldc), c50, c51);
            AddRow(c + (6 * ldc), c60, c61);
            AddRow(c + (7 * ldc), c70, c71);
            return;
        }

        // Edge tile: spill the accumulators and write only the valid part.
        double* tile = stackalloc double[MR * NR];
        c00.Store(tile); c01.Store(tile + 4); c10.Store(tile + 8); c11.Store(tile + 12);
        c20.Store(tile + 16); c21.Store(tile + 20); c30.Store(tile + 24); c31.Store(tile + 28);
        c40.Store(tile + 32); c41.Store(tile + 36); c50.Store(tile + 40); c51.Store(tile + 44);
        c60.Store(tile + 48); c61.Store(tile + 52); c70.Store(tile + 56); c71.Store(tile + 60);
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                double* target = c + (i * (long)ldc) + j;
                *target = accumulate ? *target + tile[(i * NR) + j] : tile[(i * NR) + j];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void AddRow(double* c, Vector256<double> low, Vector256<double> high)
    {
        (Vector256.Load(c) + low).Store(c);
        (Vector256.Load(c + 4) + high).Store(c + 4);
    }

    private static int CeilDiv(int value, int divisor) => (value + divisor - 1) / divisor;

    /// <summary>A logical operand over row-major storage: element (index, depth) is Data[index·IndexStride + depth·DepthStride].</summary>
    private readonly record struct Operand(double[] Data, int IndexStride, int DepthStride);

    private readonly record struct Problem(Operand A, Operand B, bool LowerOnly, bool AddToOutput);
}
