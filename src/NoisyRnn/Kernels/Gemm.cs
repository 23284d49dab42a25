using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NoisyRnn.Kernels;

/// <summary>
/// Single-precision matrix products on row-major spans, the GEMM family every model builds on:
/// C (+)= A·Bᵀ (inputs times <c>nn.Linear</c> weights), C (+)= A·B (back-propagation through a weight) and
/// C (+)= Aᵀ·B (weight gradients). Explicit Vector512 / Vector256 / Vector128 paths (<see cref="Isa.Tier"/>), an
/// 8-row by 2-vector register tile (broadcast A, load B), A packed per 8-row block and k processed in blocks of
/// <see cref="DepthBlock"/>. Large products are split by rows over the cores; every element is always computed by
/// the same code in the same summation order, so results are bit-identical for any thread count and equal to
/// <see cref="GemmScalar"/>'s.
/// </summary>
public static unsafe class Gemm
{
    /// <summary>Rows of C computed together by one register tile.</summary>
    internal const int RowTile = 8;

    /// <summary>Length of the k blocks: each block's partial sum is added to C before the next block starts.</summary>
    public const int DepthBlock = 256;

    /// <summary>Products with m·n·k below this run on the calling thread only: waking a second worker costs tens of
    /// microseconds (milliseconds on a busy machine), more than a 200 x 128 x 128 product takes on one core.</summary>
    internal const long ParallelThreshold = 1L << 23;

    /// <summary>Upper bound on the threads a product uses (tests set 1 to compare with the parallel result).</summary>
    internal static int MaxThreads { get; set; } = Math.Max(1, Environment.ProcessorCount);

    [ThreadStatic] private static float[]? t_transposed;
    [ThreadStatic] private static float[]? t_tailPanel;

    /// <summary>C (+)= A·Bᵀ. A is [m, k], B is [n, k] (PyTorch <c>nn.Linear</c> weight layout: y = x·Wᵀ), C is [m, n]; all row-major.</summary>
    /// <param name="a">A, [m, k] row-major.</param>
    /// <param name="b">B, [n, k] row-major; copied transposed into a per-thread workspace.</param>
    /// <param name="c">C, [m, n] row-major; must not overlap A or B.</param>
    /// <param name="m">Rows of A and C; &gt;= 0.</param>
    /// <param name="n">Rows of B, columns of C; &gt;= 0.</param>
    /// <param name="k">Shared inner dimension; &gt;= 0.</param>
    /// <param name="accumulate">True adds the product to C; false overwrites C.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative.</exception>
    /// <exception cref="ArgumentException">A span length differs from its shape.</exception>
    public static void MultiplyTransposedB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate = false)
    {
        CheckShapes(a.Length, b.Length, c.Length, m, n, k, "[m, k]", "[n, k]");
        MultiplyTransposedBStrided(a, k, b, c, n, m, n, k, accumulate, Isa.Tier, MaxThreads);
    }

    /// <summary>C (+)= A·B. A is [m, k], B is [k, n], C is [m, n]; all row-major.</summary>
    /// <param name="a">A, [m, k] row-major.</param>
    /// <param name="b">B, [k, n] row-major.</param>
    /// <param name="c">C, [m, n] row-major; must not overlap A or B.</param>
    /// <param name="m">Rows of A and C; &gt;= 0.</param>
    /// <param name="n">Columns of B and C; &gt;= 0.</param>
    /// <param name="k">Shared inner dimension; &gt;= 0.</param>
    /// <param name="accumulate">True adds the product to C; false overwrites C.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative.</exception>
    /// <exception cref="ArgumentException">A span length differs from its shape.</exception>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate = false)
    {
        CheckShapes(a.Length, b.Length, c.Length, m, n, k, "[m, k]", "[k, n]");
        MultiplyStrided(a, k, false, b, n, c, n, m, n, k, accumulate, Isa.Tier, MaxThreads);
    }

    /// <summary>C (+)= Aᵀ·B. A is [k, m], B is [k, n], C is [m, n]; all row-major (weight gradients: k = batch·time).</summary>
    /// <param name="a">A, [k, m] row-major.</param>
    /// <param name="b">B, [k, n] row-major.</param>
    /// <param name="c">C, [m, n] row-major; must not overlap A or B.</param>
    /// <param name="m">Columns of A, rows of C; &gt;= 0.</param>
    /// <param name="n">Columns of B and C; &gt;= 0.</param>
    /// <param name="k">Rows of A and B; &gt;= 0.</param>
    /// <param name="accumulate">True adds the product to C; false overwrites C.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative.</exception>
    /// <exception cref="ArgumentException">A span length differs from its shape.</exception>
    public static void MultiplyTransposedA(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate = false)
    {
        CheckShapes(a.Length, b.Length, c.Length, m, n, k, "[k, m]", "[k, n]");
        MultiplyStrided(a, m, true, b, n, c, n, m, n, k, accumulate, Isa.Tier, MaxThreads);
    }

    internal static void CheckShapes(int aLength, int bLength, int cLength, int m, int n, int k, string aShape, string bShape)
    {
        Guard.NonNegative(m);
        Guard.NonNegative(n);
        Guard.NonNegative(k);
        Guard.Length(aLength, (long)m * k, "a", aShape);
        Guard.Length(bLength, (long)k * n, "b", bShape);
        Guard.Length(cLength, (long)m * n, "c", "[m, n]");
    }

    /// <summary>
    /// C (+)= A·Bᵀ with leading dimensions: A(i, p) = a[i·lda + p], B(j, p) = b[j·k + p] (contiguous [n, k]),
    /// C(i, j) = c[i·ldc + j]. B is transposed into a per-thread workspace first.
    /// </summary>
    internal static void MultiplyTransposedBStrided(ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, Span<float> c, int ldc,
        int m, int n, int k, bool accumulate, IsaTier tier, int maxThreads)
    {
        if (tier == IsaTier.Scalar)
        {
            CheckExtent(a.Length, m, k, lda, "a");
            CheckExtent(b.Length, n, k, k, "b");
            CheckExtent(c.Length, m, n, ldc, "c");
            GemmScalar.Core(a, lda, false, b, 1, k, c, ldc, m, n, k, accumulate);
            return;
        }
        int size = n * k;
        float[] workspace = t_transposed is { } w && w.Length >= size ? w : (t_transposed = new float[Math.Max(size, 1024)]);
        Span<float> bt = workspace.AsSpan(0, size);
        Transpose(b[..size], n, k, bt);
        MultiplyStrided(a, lda, false, bt, n, c, ldc, m, n, k, accumulate, tier, maxThreads);
    }

    /// <summary>Writes the [cols, rows] transpose of the row-major [rows, cols] matrix <paramref name="source"/>.</summary>
    internal static void Transpose(ReadOnlySpan<float> source, int rows, int cols, Span<float> destination)
    {
        if ((long)rows * cols == 0) return;
        if (source.Length < rows * cols || destination.Length < rows * cols) throw new ArgumentException("Transpose buffers are too short.");
        const int Block = 16;
        fixed (float* src = source, dst = destination)
        {
            for (int r0 = 0; r0 < rows; r0 += Block)
            {
                int r1 = Math.Min(rows, r0 + Block);
                for (int c0 = 0; c0 < cols; c0 += Block)
                {
                    int c1 = Math.Min(cols, c0 + Block);
                    for (int col = c0; col < c1; col++)
                    {
                        float* d = dst + (nint)col * rows;
                        float* s = src + col;
                        for (int r = r0; r < r1; r++) d[r] = s[(nint)r * cols];
                    }
                }
            }
        }
    }

    private static void CheckExtent(int length, int rows, int cols, int ld, string name)
    {
        if (rows == 0 || cols == 0) return;
        if (ld < cols || (long)(rows - 1) * ld + cols > length)
            throw new ArgumentException($"{name} (length {length}) cannot hold {rows} rows of {cols} with stride {ld}.", name);
    }

    /// <summary>
    /// C (+)= op(A)·B with leading dimensions: op(A)(i, p) = a[i·lda + p], or a[p·lda + i] when
    /// <paramref name="transposeA"/>; B(p, j) = b[p·ldb + j]; C(i, j) = c[i·ldc + j]. The core every public product uses.
    /// </summary>
    internal static void MultiplyStrided(ReadOnlySpan<float> a, int lda, bool transposeA, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc,
        int m, int n, int k, bool accumulate, IsaTier tier, int maxThreads)
    {
        if (transposeA) CheckExtent(a.Length, k, m, lda, "a");
        else CheckExtent(a.Length, m, k, lda, "a");
        CheckExtent(b.Length, k, n, ldb, "b");
        CheckExtent(c.Length, m, n, ldc, "c");
        if (tier != IsaTier.Scalar && !Isa.IsSupported(tier)) throw new PlatformNotSupportedException($"{tier} is not accelerated on this machine.");
        if (tier == IsaTier.Scalar || m == 0 || n == 0 || k == 0)
        {
            GemmScalar.Core(a, lda, transposeA, b, ldb, 1, c, ldc, m, n, k, accumulate);
            return;
        }

        int blocks = (m + RowTile - 1) / RowTile;
        int threads = (long)m * n * k >= ParallelThreshold ? Math.Min(Math.Max(1, maxThreads), blocks) : 1;
        fixed (float* pa = a, pb = b, pc = c)
        {
            var job = new Job((nint)pa, lda, transposeA, (nint)pb, ldb, (nint)pc, ldc, m, n, k, accumulate, tier);
            if (threads == 1)
            {
                job.Rows(0, m);
            }
            else
            {
                // Row partition on tile boundaries: which thread computes a row never changes its arithmetic.
                Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
                {
                    int b0 = (int)((long)blocks * t / threads), b1 = (int)((long)blocks * (t + 1) / threads);
                    job.Rows(b0 * RowTile, Math.Min(m, b1 * RowTile));
                });
            }
        }
    }

    private readonly record struct Job(nint A, int Lda, bool TransposeA, nint B, int Ldb, nint C, int Ldc, int M, int N, int K, bool Accumulate, IsaTier Tier)
    {
        /// <summary>Computes rows [i0, i1) of C.</summary>
        public void Rows(int i0, int i1)
        {
            float* a = (float*)A, b = (float*)B, c = (float*)C;
            int panel = 2 * Isa.FloatsPerVector(Tier);
            int fullColumns = N - N % panel;
            int tailColumns = N - fullColumns;
            float* aPack = stackalloc float[DepthBlock * RowTile];
            int tailSize = DepthBlock * panel;
            float[] tail = t_tailPanel is { } t && t.Length >= tailSize ? t : (t_tailPanel = new float[tailSize]);
            fixed (float* bTail = tail)
            {
                for (int kb = 0; kb < K; kb += DepthBlock)
                {
                    int kc = Math.Min(DepthBlock, K - kb);
                    bool add = Accumulate || kb > 0;
                    float* bk = b + (nint)kb * Ldb;
                    if (tailColumns > 0)
                    {
                        // The last partial panel of B, zero padded to a full panel.
                        for (int p = 0; p < kc; p++)
                        {
                            float* src = bk + (nint)p * Ldb + fullColumns;
                            float* dst = bTail + p * panel;
                            for (int j = 0; j < panel; j++) dst[j] = j < tailColumns ? src[j] : 0f;
                        }
                    }
                    for (int i = i0; i < i1; i += RowTile)
                    {
                        int rows = Math.Min(RowTile, i1 - i);
                        PackA(a, i, rows, kb, kc, aPack);
                        float* ci = c + (nint)i * Ldc;
                        for (int j = 0; j < fullColumns; j += panel)
                            Tile(Tier, aPack, bk + j, Ldb, ci + j, Ldc, kc, rows, panel, add);
                        if (tailColumns > 0)
                            Tile(Tier, aPack, bTail, panel, ci + fullColumns, Ldc, kc, rows, tailColumns, add);
                    }
                }
            }
        }

        /// <summary>Copies op(A)[i..i+rows, kb..kb+kc] into <paramref name="dst"/> as [kc, 8], zero padding missing rows.</summary>
        private void PackA(float* a, int i, int rows, int kb, int kc, float* dst)
        {
            if (TransposeA)
            {
                for (int p = 0; p < kc; p++)
                {
                    float* src = a + (nint)(kb + p) * Lda + i;
                    float* d = dst + p * RowTile;
                    for (int r = 0; r < RowTile; r++) d[r] = r < rows ? src[r] : 0f;
                }
            }
            else
            {
                for (int r = 0; r < RowTile; r++)
                {
                    if (r < rows)
                    {
                        float* src = a + (nint)(i + r) * Lda + kb;
                        for (int p = 0; p < kc; p++) dst[p * RowTile + r] = src[p];
                    }
                    else
                    {
                        for (int p = 0; p < kc; p++) dst[p * RowTile + r] = 0f;
                    }
                }
            }
        }
    }

    private static void Tile(IsaTier tier, float* ap, float* bp, int ldb, float* cp, int ldc, int kc, int rows, int cols, bool add)
    {
        switch (tier)
        {
            case IsaTier.Vector512: Tile512(ap, bp, ldb, cp, ldc, kc, rows, cols, add); break;
            case IsaTier.Vector256: Tile256(ap, bp, ldb, cp, ldc, kc, rows, cols, add); break;
            default: Tile128(ap, bp, ldb, cp, ldc, kc, rows, cols, add); break;
        }
    }

    /// <summary>Writes a partial tile held in <paramref name="t"/> ([8, width]) to the valid rows and columns of C only.</summary>
    private static void StorePartial(float* t, int width, float* cp, int ldc, int rows, int cols, bool add)
    {
        for (int r = 0; r < rows; r++)
        {
            float* cr = cp + (nint)r * ldc;
            float* tr = t + r * width;
            for (int j = 0; j < cols; j++) cr[j] = add ? cr[j] + tr[j] : tr[j];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(float* c, Vector512<float> v0, Vector512<float> v1, bool add)
    {
        if (add)
        {
            v0 = Vector512.Load(c) + v0;
            v1 = Vector512.Load(c + 16) + v1;
        }
        v0.Store(c);
        v1.Store(c + 16);
    }

    /// <summary>8 rows by 32 columns: 16 Vector512 accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile512(float* ap, float* bp, int ldb, float* cp, int ldc, int kc, int rows, int cols, bool add)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(bp), b1 = Vector512.Load(bp + 16);
            Vector512<float> x = Vector512.Create(ap[0]);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(ap[1]);
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(ap[2]);
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(ap[3]);
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(ap[4]);
            c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(ap[5]);
            c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(ap[6]);
            c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(ap[7]);
            c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
            ap += RowTile;
            bp += ldb;
        }
        if (rows == RowTile && cols == 32)
        {
            Store512(cp, c00, c01, add); cp += ldc;
            Store512(cp, c10, c11, add); cp += ldc;
            Store512(cp, c20, c21, add); cp += ldc;
            Store512(cp, c30, c31, add); cp += ldc;
            Store512(cp, c40, c41, add); cp += ldc;
            Store512(cp, c50, c51, add); cp += ldc;
            Store512(cp, c60, c61, add); cp += ldc;
            Store512(cp, c70, c71, add);
            return;
        }
        float* t = stackalloc float[RowTile * 32];
        c00.Store(t); c01.Store(t + 16); c10.Store(t + 32); c11.Store(t + 48);
        c20.Store(t + 64); c21.Store(t + 80); c30.Store(t + 96); c31.Store(t + 112);
        c40.Store(t + 128); c41.Store(t + 144); c50.Store(t + 160); c51.Store(t + 176);
        c60.Store(t + 192); c61.Store(t + 208); c70.Store(t + 224); c71.Store(t + 240);
        StorePartial(t, 32, cp, ldc, rows, cols, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(float* c, Vector256<float> v0, Vector256<float> v1, bool add)
    {
        if (add)
        {
            v0 = Vector256.Load(c) + v0;
            v1 = Vector256.Load(c + 8) + v1;
        }
        v0.Store(c);
        v1.Store(c + 8);
    }

    /// <summary>8 rows by 16 columns: 16 Vector256 accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile256(float* ap, float* bp, int ldb, float* cp, int ldc, int kc, int rows, int cols, bool add)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(bp), b1 = Vector256.Load(bp + 8);
            Vector256<float> x = Vector256.Create(ap[0]);
            c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(ap[1]);
            c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(ap[2]);
            c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(ap[3]);
            c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            x = Vector256.Create(ap[4]);
            c40 = Vector256.FusedMultiplyAdd(x, b0, c40); c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
            x = Vector256.Create(ap[5]);
            c50 = Vector256.FusedMultiplyAdd(x, b0, c50); c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
            x = Vector256.Create(ap[6]);
            c60 = Vector256.FusedMultiplyAdd(x, b0, c60); c61 = Vector256.FusedMultiplyAdd(x, b1, c61);
            x = Vector256.Create(ap[7]);
            c70 = Vector256.FusedMultiplyAdd(x, b0, c70); c71 = Vector256.FusedMultiplyAdd(x, b1, c71);
            ap += RowTile;
            bp += ldb;
        }
        if (rows == RowTile && cols == 16)
        {
            Store256(cp, c00, c01, add); cp += ldc;
            Store256(cp, c10, c11, add); cp += ldc;
            Store256(cp, c20, c21, add); cp += ldc;
            Store256(cp, c30, c31, add); cp += ldc;
            Store256(cp, c40, c41, add); cp += ldc;
            Store256(cp, c50, c51, add); cp += ldc;
            Store256(cp, c60, c61, add); cp += ldc;
            Store256(cp, c70, c71, add);
            return;
        }
        float* t = stackalloc float[RowTile * 16];
        c00.Store(t); c01.Store(t + 8); c10.Store(t + 16); c11.Store(t + 24);
        c20.Store(t + 32); c21.Store(t + 40); c30.Store(t + 48); c31.Store(t + 56);
        c40.Store(t + 64); c41.Store(t + 72); c50.Store(t + 80); c51.Store(t + 88);
        c60.Store(t + 96); c61.Store(t + 104); c70.Store(t + 112); c71.Store(t + 120);
        StorePartial(t, 16, cp, ldc, rows, cols, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store128(float* c, Vector128<float> v0, Vector128<float> v1, bool add)
    {
        if (add)
        {
            v0 = Vector128.Load(c) + v0;
            v1 = Vector128.Load(c + 4) + v1;
        }
        v0.Store(c);
        v1.Store(c + 4);
    }

    /// <summary>8 rows by 8 columns: 16 Vector128 accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile128(float* ap, float* bp, int ldb, float* cp, int ldc, int kc, int rows, int cols, bool add)
    {
        Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector128<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector128<float> b0 = Vector128.Load(bp), b1 = Vector128.Load(bp + 4);
            Vector128<float> x = Vector128.Create(ap[0]);
            c00 = Vector128.FusedMultiplyAdd(x, b0, c00); c01 = Vector128.FusedMultiplyAdd(x, b1, c01);
            x = Vector128.Create(ap[1]);
            c10 = Vector128.FusedMultiplyAdd(x, b0, c10); c11 = Vector128.FusedMultiplyAdd(x, b1, c11);
            x = Vector128.Create(ap[2]);
            c20 = Vector128.FusedMultiplyAdd(x, b0, c20); c21 = Vector128.FusedMultiplyAdd(x, b1, c21);
            x = Vector128.Create(ap[3]);
            c30 = Vector128.FusedMultiplyAdd(x, b0, c30); c31 = Vector128.FusedMultiplyAdd(x, b1, c31);
            x = Vector128.Create(ap[4]);
            c40 = Vector128.FusedMultiplyAdd(x, b0, c40); c41 = Vector128.FusedMultiplyAdd(x, b1, c41);
            x = Vector128.Create(ap[5]);
            c50 = Vector128.FusedMultiplyAdd(x, b0, c50); c51 = Vector128.FusedMultiplyAdd(x, b1, c51);
            x = Vector128.Create(ap[6]);
            c60 = Vector128.FusedMultiplyAdd(x, b0, c60); c61 = Vector128.FusedMultiplyAdd(x, b1, c61);
            x = Vector128.Create(ap[7]);
            c70 = Vector128.FusedMultiplyAdd(x, b0, c70); c71 = Vector128.FusedMultiplyAdd(x, b1, c71);
            ap += RowTile;
            bp += ldb;
        }
        if (rows == RowTile && cols == 8)
        {
            Store128(cp, c00, c01, add); cp += ldc;
            Store128(cp, c10, c11, add); cp += ldc;
            Store128(cp, c20, c21, add); cp += ldc;
            Store128(cp, c30, c31, add); cp += ldc;
            Store128(cp, c40, c41, add); cp += ldc;
            Store128(cp, c50, c51, add); cp += ldc;
            Store128(cp, c60, c61, add); cp += ldc;
            Store128(cp, c70, c71, add);
            return;
        }
        float* t = stackalloc float[RowTile * 8];
        c00.Store(t); c01.Store(t + 4); c10.Store(t + 8); c11.Store(t + 12);
        c20.Store(t + 16); c21.Store(t + 20); c30.Store(t + 24); c31.Store(t + 28);
        c40.Store(t + 32); c41.Store(t + 36); c50.Store(t + 40); c51.Store(t + 44);
        c60.Store(t + 48); c61.Store(t + 52); c70.Store(t + 56); c71.Store(t + 60);
        StorePartial(t, 8, cp, ldc, rows, cols, add);
    }
}
