using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NoisyRnn.Kernels;

/// <summary>
/// Single-precision matrix products on row-major spans, the GEMM family every model builds on:
/// C (+)= A·Bᵀ (inputs times <c>nn.Linear</c> weights), C (+)= A·B (back-propagation through a weight) and
/// C (+)= Aᵀ·B (weight gradients). Explicit Vector512 / Vector256 / Vector128 paths (<see cref="Isa.Tier"/>), an
/// 8-row by 2-vector register tile (broadcast A, load B), B packed into contiguous [k block, 2 vectors] column panels,
/// A packed per block of rows, and k processed in blocks of <see cref="DepthBlock"/>. Large products are split by rows
/// over the cores (a persistent helper thread, not the thread pool); every element is always computed by the same code
/// in the same summation order, so results are bit-identical for any thread count and equal to <see cref="GemmScalar"/>'s.
/// </summary>
public static unsafe partial class Gemm
{
    /// <summary>Rows of C computed together by one register tile.</summary>
    internal const int RowTile = 8;

    /// <summary>Rows of the smallest share of a product or a batch the threads split work into on
    /// <paramref name="tier"/>: half a tile at Vector512, which has a 4-row tile (<see cref="HalfTile"/>) for
    /// a half tile at the end of a share (200 rows split 100 / 100 instead of 96 / 104); a whole tile at the other
    /// tiers, whose partial tiles compute all 8 rows. Which rows a thread takes never changes their arithmetic.</summary>
    internal static int ShareRows(IsaTier tier) => tier == IsaTier.Vector512 && s_halfTileShares ? RowTile / 2 : RowTile;

    /// <summary>Whether Vector512 work is shared in half tiles (a switch for measuring what it is worth).</summary>
    internal static bool HalfTileShares { get => s_halfTileShares; set => s_halfTileShares = value; }

    private static bool s_halfTileShares = true;

    /// <summary>Length of the k blocks: each block's partial sum is added to C before the next block starts.</summary>
    public const int DepthBlock = 256;

    /// <summary>Rows of A packed together: every B panel is used by all of their tiles while it sits in L1 (the packed
    /// block, RowBlock·DepthBlock floats = 256 KB, stays in L2).</summary>
    internal const int RowBlock = 256;

    /// <summary>Upper bound, in floats, on one slab of packed B (k rows rounded to whole depth blocks, all column panels).
    /// Products with a deeper B (weight gradients over batch·time) pack and consume it slab by slab.</summary>
    internal const int SlabFloats = 1 << 20;

    /// <summary>Products with m·n·k below this run on the calling thread only: waking a second worker costs
    /// microseconds, more than a 200 x 128 x 128 product gains on the second core.</summary>
    internal const long ParallelThreshold = 1L << 23;

    /// <summary>Upper bound on the threads a product uses (tests set 1 to compare with the parallel result).</summary>
    internal static int MaxThreads
    {
        get => WorkerPool.MaxThreads;
        set => WorkerPool.MaxThreads = value;
    }

    /// <summary>Whether tiles prefetch their C rows (a switch for measuring what the prefetch is worth).</summary>
    internal static bool PrefetchC { get => s_prefetchC; set => s_prefetchC = value; }

    private static bool s_prefetchC = true;

    /// <summary>Whether Vector512 products read a row-major A in place (a switch for measuring what skipping its packing is worth).</summary>
    internal static bool DirectA { get => s_directA; set => s_directA = value; }

    private static bool s_directA = true;

    [ThreadStatic] private static float[]? t_aPack;
    [ThreadStatic] private static float[]? t_slab0;
    [ThreadStatic] private static float[]? t_slab1;

    /// <summary>C (+)= A·Bᵀ. A is [m, k], B is [n, k] (PyTorch <c>nn.Linear</c> weight layout: y = x·Wᵀ), C is [m, n]; all row-major.</summary>
    /// <param name="a">A, [m, k] row-major.</param>
    /// <param name="b">B, [n, k] row-major; read directly into the packed panels (no transposed copy).</param>
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
    /// C(i, j) = c[i·ldc + j]. The panels of B are packed straight from the [n, k] layout.
    /// </summary>
    internal static void MultiplyTransposedBStrided(ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, Span<float> c, int ldc,
        int m, int n, int k, bool accumulate, IsaTier tier, int maxThreads)
    {
        CheckExtent(a.Length, m, k, lda, "a");
        CheckExtent(b.Length, n, k, k, "b");
        CheckExtent(c.Length, m, n, ldc, "c");
        if (tier != IsaTier.Scalar && !Isa.IsSupported(tier)) throw new PlatformNotSupportedException($"{tier} is not accelerated on this machine.");
        if (tier == IsaTier.Scalar || m == 0 || n == 0 || k == 0)
        {
            GemmScalar.Core(a, lda, false, b, 1, k, c, ldc, m, n, k, accumulate);
            return;
        }
        fixed (float* pa = a, pb = b, pc = c)
            Run(new Operands((nint)pa, lda, false, (nint)pb, 1, k, 0, (nint)pc, ldc, m, n, k, accumulate, tier), maxThreads);
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

    internal static void CheckExtent(int length, int rows, int cols, int ld, string name)
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
        fixed (float* pa = a, pb = b, pc = c)
            Run(new Operands((nint)pa, lda, transposeA, (nint)pb, ldb, 1, 0, (nint)pc, ldc, m, n, k, accumulate, tier), maxThreads);
    }

    /// <summary>
    /// C (+)= op(A)·B with B packed beforehand (<see cref="PackedMatrix"/>, for a weight used by many products):
    /// op(A)(i, p) = a[i·lda + p], or a[p·lda + i] when <paramref name="transposeA"/>; C(i, j) = c[i·ldc + j].
    /// Same arithmetic, so same bits, as the unpacked products.
    /// </summary>
    internal static void MultiplyPacked(ReadOnlySpan<float> a, int lda, bool transposeA, PackedMatrix b, Span<float> c, int ldc,
        int m, bool accumulate, IsaTier tier, int maxThreads)
    {
        ArgumentNullException.ThrowIfNull(b);
        int n = b.Columns, k = b.Depth;
        if (b.Tier != tier) throw new ArgumentException($"b was packed for {b.Tier}, not {tier}.", nameof(b));
        if (transposeA) CheckExtent(a.Length, k, m, lda, "a");
        else CheckExtent(a.Length, m, k, lda, "a");
        CheckExtent(c.Length, m, n, ldc, "c");
        if (tier == IsaTier.Scalar || m == 0 || n == 0 || k == 0)
        {
            GemmScalar.Core(a, lda, transposeA, b.Data, n, 1, c, ldc, m, n, k, accumulate);
            return;
        }
        fixed (float* pa = a, pc = c)
            Run(new Operands((nint)pa, lda, transposeA, 0, 0, 0, b.Pointer, (nint)pc, ldc, m, n, k, accumulate, tier), maxThreads);
    }

    /// <summary>Columns of one B panel (two vectors) on <paramref name="tier"/>.</summary>
    internal static int PanelWidth(IsaTier tier) => 2 * Isa.FloatsPerVector(tier);

    /// <summary>
    /// Packs B(p, j) = b[p·rowStride + j·columnStride], p in [k0, k0 + depth), j in panels [panel0, panel1), into
    /// <paramref name="dst"/> laid out as consecutive depth blocks; within a block, panel after panel, each [kc, width]
    /// row-major with the columns past n zero. Block kb (relative to k0) of panel q starts at kb·paddedN + q·kc·width.
    /// </summary>
    internal static void PackB(float* b, nint rowStride, nint columnStride, int n, int k0, int depth, int panel0, int panel1, int width, float* dst)
    {
        int paddedN = (n + width - 1) / width * width;
        for (int kb = 0; kb < depth; kb += DepthBlock)
        {
            int kc = Math.Min(DepthBlock, depth - kb);
            for (int q = panel0; q < panel1; q++)
            {
                float* panel = dst + (nint)kb * paddedN + (nint)q * kc * width;
                int j0 = q * width;
                int cols = Math.Min(width, n - j0);
                if (columnStride == 1)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        float* src = b + (nint)(k0 + kb + p) * rowStride + j0;
                        float* d = panel + p * width;
                        if (cols == width)
                        {
                            if (width == 32)
                            {
                                Vector512.Store(Vector512.Load(src), d);
                                Vector512.Store(Vector512.Load(src + 16), d + 16);
                            }
                            else
                            {
                                for (int j = 0; j < width; j++) d[j] = src[j];
                            }
                        }
                        else
                        {
                            for (int j = 0; j < cols; j++) d[j] = src[j];
                            for (int j = cols; j < width; j++) d[j] = 0f;
                        }
                    }
                }
                else
                {
                    // B is stored transposed ([n, k]): read each column of the panel along p, write it with stride width.
                    for (int j = 0; j < width; j++)
                    {
                        float* d = panel + j;
                        if (j < cols)
                        {
                            float* src = b + (nint)(j0 + j) * columnStride + (nint)(k0 + kb) * rowStride;
                            for (int p = 0; p < kc; p++) d[p * width] = src[p * rowStride];
                        }
                        else
                        {
                            for (int p = 0; p < kc; p++) d[p * width] = 0f;
                        }
                    }
                }
            }
        }
    }

    /// <summary>A pinned per-thread buffer of at least <paramref name="length"/> floats (grown, never shrunk).</summary>
    internal static float* Workspace(ref float[]? slot, int length)
    {
        float[] buffer = slot is { } s && s.Length >= length ? s : (slot = GC.AllocateUninitializedArray<float>(Math.Max(length, 1024), pinned: true));
        return (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
    }

    /// <summary>Depth of the pieces a deep product is cut into (<see cref="Chunks"/>); a multiple of <see cref="DepthBlock"/>.</summary>
    internal const int ChunkDepth = 2048;

    /// <summary>Upper bound, in floats, on the partial products of a deep product kept at once (16 MB).</summary>
    internal const long MaxChunkFloats = 1L << 22;

    /// <summary>
    /// Number of depth pieces of a product: 1 for ordinary products; for deep ones (k &gt;= 2·<see cref="ChunkDepth"/>,
    /// weight gradients over batch·time rows) one per <see cref="ChunkDepth"/> rows of k, each multiplied into its own
    /// [m, n] partial and the partials added to C in piece order. A function of the shape alone, so the summation order,
    /// and with it every bit, is the same for any thread count (and in <see cref="GemmScalar"/>).
    /// </summary>
    internal static int Chunks(int m, int n, int k)
    {
        if (k < 2 * ChunkDepth) return 1;
        int chunks = (k + ChunkDepth - 1) / ChunkDepth;
        return (long)chunks * m * n <= MaxChunkFloats ? chunks : 1;
    }

    [ThreadStatic] private static float[]? t_partials;
    [ThreadStatic] private static ChunkedProduct? t_chunked;

    /// <summary>Splits a product over up to <paramref name="maxThreads"/> threads (rows on tile boundaries, or depth
    /// pieces for a deep product) and runs it.</summary>
    private static void Run(Operands o, int maxThreads)
    {
        int chunks = Chunks(o.M, o.N, o.K);
        if (chunks > 1)
        {
            // Deep product: the threads claim whole depth pieces, each a one-thread product into its own partial (its own
            // packing of A and B, no slabs shared between cores), then add the partials up row block by row block.
            int pieceThreads = (long)o.M * o.N * o.K >= ParallelThreshold ? Math.Max(1, maxThreads) : 1;
            ChunkedProduct work = t_chunked ??= new ChunkedProduct();
            work.Start(o, chunks, Workspace(ref t_partials, checked(chunks * o.M * o.N)));
            try
            {
                WorkerPool.RunParts(work, pieceThreads);
                work.StartSum(pieceThreads);
                WorkerPool.RunParts(work, pieceThreads);
            }
            finally
            {
                work.Clear();
            }
            return;
        }
        int tiles = (o.M + RowTile - 1) / RowTile;
        int threads = (long)o.M * o.N * o.K >= ParallelThreshold ? Math.Min(Math.Max(1, maxThreads), tiles) : 1;
        if (o.PackedB == 0)
        {
            // Slabs of B shared by the threads: each packs its share of the panels, then all use all of them.
            int paddedN = PaddedColumns(o.N, o.Tier);
            int slabDepth = Math.Max(DepthBlock, SlabFloats / paddedN / DepthBlock * DepthBlock);
            int depth = Math.Min(o.K, slabDepth);
            int slabLength = ((depth + DepthBlock - 1) / DepthBlock * DepthBlock) * paddedN;
            o = o with { SlabDepth = depth, Slab0 = (nint)Workspace(ref t_slab0, slabLength) };
            if (o.K > depth) o = o with { Slab1 = (nint)Workspace(ref t_slab1, slabLength) };
        }
        if (threads <= 1 || !WorkerPool.TryRun(o, threads)) o.Execute(0, 1, null);
    }

    /// <summary>A deep product cut into depth pieces (<see cref="Chunks"/>): first one part per piece, then one per block of
    /// rows of C adding the partials in piece order.</summary>
    private sealed class ChunkedProduct : WorkerPool.IParallelParts
    {
        private Operands _o;
        private float* _partials;
        private int _chunks;
        private bool _summing;

        public int Parts { get; private set; }

        public void Start(Operands o, int chunks, float* partials)
        {
            _o = o;
            _chunks = chunks;
            _partials = partials;
            _summing = false;
            Parts = chunks;
        }

        public void StartSum(int threads)
        {
            _summing = true;
            Parts = Math.Min((_o.M + RowTile - 1) / RowTile, 4 * threads);
        }

        public void Clear() => _o = default;

        public void Run(int part)
        {
            Operands o = _o;
            int mn = o.M * o.N;
            if (!_summing)
            {
                int k0 = part * ChunkDepth, depth = Math.Min(ChunkDepth, o.K - k0);
                nint a = o.A + (nint)(o.TransposeA ? (long)k0 * o.Lda : k0) * sizeof(float);
                var piece = o with
                {
                    A = a,
                    B = o.PackedB == 0 ? o.B + (nint)(k0 * o.BRowStride * sizeof(float)) : 0,
                    PackedB = o.PackedB == 0 ? 0 : o.PackedB + (nint)((long)k0 * PaddedColumns(o.N, o.Tier) * sizeof(float)),
                    C = (nint)(_partials + (nint)part * mn),
                    Ldc = o.N,
                    K = depth,
                    Accumulate = false,
                };
                Gemm.Run(piece, 1);
                return;
            }
            (int i0, int i1) = WorkerPool.PartRange(o.M, part, Parts);
            AddPieces((float*)o.C, o.Ldc, _partials, _chunks, o.M, o.N, i0, i1, o.Accumulate);
        }
    }

    /// <summary>
    /// Rows [<paramref name="i0"/>, <paramref name="i1"/>) of C (+)= the [m, n] partials of a deep product's pieces, added
    /// in piece order (the first piece copied when not <paramref name="accumulate"/>): the fixed order that makes a pieced
    /// product's bits independent of the thread count.
    /// </summary>
    internal static void AddPieces(float* c, int ldc, float* partials, int pieces, int m, int n, int i0, int i1, bool accumulate)
    {
        long mn = (long)m * n;
        for (int i = i0; i < i1; i++)
        {
            var row = new Span<float>(c + (nint)i * ldc, n);
            for (int piece = 0; piece < pieces; piece++)
            {
                var partial = new ReadOnlySpan<float>(partials + piece * mn + (nint)i * n, n);
                if (piece == 0 && !accumulate) partial.CopyTo(row);
                else System.Numerics.Tensors.TensorPrimitives.Add(row, partial, row);
            }
        }
    }

    /// <summary>Columns of a packed B rounded up to whole panels.</summary>
    internal static int PaddedColumns(int n, IsaTier tier) => (n + PanelWidth(tier) - 1) / PanelWidth(tier) * PanelWidth(tier);

    /// <summary>One product C (+)= op(A)·B as raw pointers; B either packed already (<see cref="PackedB"/>) or packed slab by slab.</summary>
    internal readonly record struct Operands(nint A, int Lda, bool TransposeA, nint B, nint BRowStride, nint BColumnStride, nint PackedB,
        nint C, int Ldc, int M, int N, int K, bool Accumulate, IsaTier Tier) : WorkerPool.IPoolJob
    {
        /// <summary>Depth of one slab of B (a multiple of <see cref="DepthBlock"/>, or K) when B is not packed.</summary>
        public int SlabDepth { get; init; }

        /// <summary>Slab buffers (two, used alternately, so one barrier per slab suffices).</summary>
        public nint Slab0 { get; init; }

        /// <summary>Second slab buffer; only when K exceeds one slab.</summary>
        public nint Slab1 { get; init; }

        /// <summary>True when B comes in more than one slab: the threads then work in lock step (static split, a barrier per
        /// slab); otherwise they claim pieces of the work (<see cref="ExecuteShared"/>).</summary>
        public bool NeedsLockStep => PackedB == 0 && K > SlabDepth;

        /// <summary>Number of groups of panels the packing of a single-slab B is split into.</summary>
        public int PackItems(int threads) => Math.Min((N + PanelWidth(Tier) - 1) / PanelWidth(Tier), 4 * threads);

        /// <summary>Shares of C's rows the threads claim (<see cref="ShareRows"/> rows each).</summary>
        public int Units => (M + ShareRows(Tier) - 1) / ShareRows(Tier);

        /// <summary>
        /// Size of the next claim when <paramref name="remaining"/> shares of rows are left: large first pieces (40% each for
        /// two threads) and ever smaller ones at the end, so a thread that starts late or runs slowly leaves little behind.
        /// Which thread computes a row never changes its arithmetic.
        /// </summary>
        public static int ClaimUnits(int remaining, int threads) => Math.Min(remaining, Math.Max(2, (int)(remaining * 0.8 / threads)));

        /// <summary>
        /// Dynamic schedule of a product whose B is packed already or fits one slab: packs groups of B panels claimed from
        /// <paramref name="state"/>, waits until all are packed, then claims and computes runs of tiles until none are left.
        /// Any number of threads may call it, at any time while the product is open.
        /// </summary>
        public void ExecuteShared(WorkerPool.SharedState state, int threads)
        {
            float* bPacked = (float*)PackedB;
            if (PackedB == 0)
            {
                bPacked = (float*)Slab0;
                int width = PanelWidth(Tier);
                int panels = (N + width - 1) / width;
                int items = PackItems(threads);
                int item;
                while ((item = Interlocked.Increment(ref state.PackCursor) - 1) < items)
                {
                    PackB((float*)B, BRowStride, BColumnStride, N, 0, K, (int)((long)panels * item / items),
                        (int)((long)panels * (item + 1) / items), width, bPacked);
                    Interlocked.Increment(ref state.PackDone);
                }
                var spin = new SpinWait();
                while (Volatile.Read(ref state.PackDone) < items) spin.SpinOnce(sleep1Threshold: -1);
            }
            float* aPack = Workspace(ref t_aPack, RowBlock * DepthBlock);
            int units = Units, shareRows = ShareRows(Tier);
            while (true)
            {
                int start = Volatile.Read(ref state.TileCursor);
                if (start >= units) break;
                int count = ClaimUnits(units - start, threads);
                if (Interlocked.CompareExchange(ref state.TileCursor, start + count, start) != start) continue;
                Compute(bPacked, 0, K, start * shareRows, Math.Min(M, (start + count) * shareRows), aPack);
                Interlocked.Add(ref state.TilesDone, count);
            }
        }

        /// <summary>Computes the rows of C that belong to thread <paramref name="thread"/> of <paramref name="threads"/>
        /// (static split; with more than one thread every thread must take part, since they meet at a barrier per slab).</summary>
        public void Execute(int thread, int threads, WorkerPool.SpinBarrier? barrier)
        {
            int width = PanelWidth(Tier);
            int panels = (N + width - 1) / width;
            int units = Units, shareRows = ShareRows(Tier);
            int i0 = (int)((long)units * thread / threads) * shareRows;
            int i1 = Math.Min(M, (int)((long)units * (thread + 1) / threads) * shareRows);
            float* aPack = Workspace(ref t_aPack, RowBlock * DepthBlock);
            if (PackedB != 0)
            {
                Compute((float*)PackedB, 0, K, i0, i1, aPack);
                return;
            }
            int q0 = (int)((long)panels * thread / threads), q1 = (int)((long)panels * (thread + 1) / threads);
            for (int k0 = 0, s = 0; k0 < K; k0 += SlabDepth, s++)
            {
                int depth = Math.Min(SlabDepth, K - k0);
                float* slab = (float*)((s & 1) == 0 ? Slab0 : Slab1);
                PackB((float*)B, BRowStride, BColumnStride, N, k0, depth, q0, q1, width, slab);
                barrier?.SignalAndWait();
                Compute(slab, k0, depth, i0, i1, aPack);
            }
        }

        /// <summary>Rows [i0, i1) of C, over k in [k0, k0 + depth) with that part of B packed at <paramref name="bPacked"/>.</summary>
        private void Compute(float* bPacked, int k0, int depth, int i0, int i1, float* aPack)
        {
            float* c = (float*)C;
            int width = PanelWidth(Tier);
            int panels = (N + width - 1) / width;
            int paddedN = panels * width;
            // The Vector512 tile reads A in place (eight rows at fixed offsets), skipping its packing: the same values in
            // the same order, so the same bits. Element (r, p) of a tile lies at r·rowStride + p·depthStride.
            bool direct = Tier == IsaTier.Vector512 && s_directA;
            float* a = (float*)A;
            nint rowStride = TransposeA ? 1 : Lda, depthStride = TransposeA ? Lda : 1;
            for (int mb = i0; mb < i1; mb += RowBlock)
            {
                int blockRows = Math.Min(RowBlock, i1 - mb);
                int blockTiles = (blockRows + RowTile - 1) / RowTile;
                for (int kb = 0; kb < depth; kb += DepthBlock)
                {
                    int kc = Math.Min(DepthBlock, depth - kb);
                    bool add = Accumulate || k0 + kb > 0;
                    if (!direct) PackA(mb, blockRows, k0 + kb, kc, aPack);
                    float* bBlock = bPacked + (nint)kb * paddedN;
                    for (int q = 0; q < panels; q++)
                    {
                        float* bp = bBlock + (nint)q * kc * width;
                        int cols = Math.Min(width, N - q * width);
                        float* cq = c + (nint)mb * Ldc + q * width;
                        for (int t = 0; t < blockTiles; t++)
                        {
                            int rows = Math.Min(RowTile, blockRows - t * RowTile);
                            if (direct)
                                Tile512InPlaceA(a + (mb + t * RowTile) * rowStride + (k0 + kb) * depthStride, rowStride, depthStride, bp, width,
                                    cq + (nint)t * RowTile * Ldc, Ldc, kc, rows, cols, add);
                            else
                                Tile(Tier, aPack + t * kc * RowTile, bp, width, cq + (nint)t * RowTile * Ldc, Ldc, kc, rows, cols, add);
                        }
                    }
                }
            }
        }

        /// <summary>Copies op(A)[i0..i0+rows, kb..kb+kc] into <paramref name="dst"/> as consecutive tiles of [kc, 8],
        /// zero padding the missing rows of the last tile.</summary>
        private void PackA(int i0, int rows, int kb, int kc, float* dst)
        {
            float* a = (float*)A;
            int t0 = 0;
            if (TransposeA && Vector512.IsHardwareAccelerated)
            {
                // Two full tiles at a time: one 64-byte load (a whole cache line when aligned) per depth row feeds both.
                for (; (t0 + 2) * RowTile <= rows; t0 += 2)
                {
                    float* src = a + (nint)kb * Lda + i0 + t0 * RowTile;
                    float* d0 = dst + t0 * kc * RowTile;
                    float* d1 = d0 + kc * RowTile;
                    for (int p = 0; p < kc; p++)
                    {
                        Vector512<float> v = Vector512.Load(src + (nint)p * Lda);
                        v.GetLower().Store(d0 + p * RowTile);
                        v.GetUpper().Store(d1 + p * RowTile);
                    }
                }
            }
            for (int t = t0; t * RowTile < rows; t++)
            {
                int i = i0 + t * RowTile;
                int tileRows = Math.Min(RowTile, rows - t * RowTile);
                float* tile = dst + t * kc * RowTile;
                if (TransposeA)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        float* src = a + (nint)(kb + p) * Lda + i;
                        float* d = tile + p * RowTile;
                        if (tileRows == RowTile && Vector256.IsHardwareAccelerated) Vector256.Store(Vector256.Load(src), d);
                        else for (int r = 0; r < RowTile; r++) d[r] = r < tileRows ? src[r] : 0f;
                    }
                }
                else if (tileRows == RowTile && Avx.IsSupported)
                {
                    // Eight rows at a time: load an 8 x 8 block of A, transpose it in registers, store it as [8 k, 8 rows].
                    float* src = a + (nint)i * Lda + kb;
                    int p = 0;
                    for (; p <= kc - 8; p += 8) Transpose8x8(src + p, Lda, tile + p * RowTile);
                    for (; p < kc; p++)
                    {
                        for (int r = 0; r < RowTile; r++) tile[p * RowTile + r] = src[(nint)r * Lda + p];
                    }
                }
                else
                {
                    for (int r = 0; r < RowTile; r++)
                    {
                        if (r < tileRows)
                        {
                            float* src = a + (nint)(i + r) * Lda + kb;
                            for (int p = 0; p < kc; p++) tile[p * RowTile + r] = src[p];
                        }
                        else
                        {
                            for (int p = 0; p < kc; p++) tile[p * RowTile + r] = 0f;
                        }
                    }
                }
            }
        }
    }

    /// <summary>Writes the transpose of the 8 x 8 block at <paramref name="src"/> (row stride <paramref name="ld"/>) to the
    /// 64 contiguous floats at <paramref name="dst"/>: dst[c·8 + r] = src[r·ld + c].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, int ld, float* dst)
    {
        Vector256<float> r0 = Avx.LoadVector256(src), r1 = Avx.LoadVector256(src + ld), r2 = Avx.LoadVector256(src + 2 * (nint)ld),
            r3 = Avx.LoadVector256(src + 3 * (nint)ld), r4 = Avx.LoadVector256(src + 4 * (nint)ld), r5 = Avx.LoadVector256(src + 5 * (nint)ld),
            r6 = Avx.LoadVector256(src + 6 * (nint)ld), r7 = Avx.LoadVector256(src + 7 * (nint)ld);
        // Interleave pairs of rows, then pairs of pairs, then swap 128-bit halves between rows four apart.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE), u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + 8, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 16, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 24, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 32, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 40, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 48, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + 56, Avx.Permute2x128(u3, u7, 0x31));
    }

    /// <summary>Asks for the C rows of a tile at its start, so that they arrive while the k loop runs instead of stalling
    /// the final load and store (C rows of a per-step product lie time·hidden floats apart and are rarely cached).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchTile(float* cp, int ldc, int rows, int width)
    {
        if (!Sse.IsSupported || !s_prefetchC) return;
        for (int r = 0; r < rows; r++)
        {
            float* row = cp + (nint)r * ldc;
            Sse.Prefetch0(row);
            Sse.Prefetch0(row + width - 1);
        }
    }

    private static void Tile(IsaTier tier, float* ap, float* bp, int ldb, float* cp, int ldc, int kc, int rows, int cols, bool add)
    {
        switch (tier)
        {
            case IsaTier.Vector512: Tile512InPlaceA(ap, 1, RowTile, bp, ldb, cp, ldc, kc, rows, cols, add); break;
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

    /// <summary>Height of a Vector512 register tile, a type argument so that the JIT compiles each height on its own and
    /// drops the rows a height does not have.</summary>
    private interface ITileHeight
    {
        static abstract bool Full { get; }
    }

    /// <summary>8 rows (16 accumulators).</summary>
    private struct FullTile : ITileHeight
    {
        public static bool Full => true;
    }

    /// <summary>4 rows (8 accumulators): the half tile at the end of a share of rows (<see cref="ShareRows"/>).</summary>
    private struct HalfTile : ITileHeight
    {
        public static bool Full => false;
    }

    /// <summary>The Vector512 tile for <paramref name="rows"/> rows: the 4-row height when they fit it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile512InPlaceA(float* a, nint rowStride, nint depthStride, float* bp, int ldb, float* cp, int ldc, int kc, int rows, int cols, bool add)
    {
        if (rows <= RowTile / 2) Tile512InPlaceA<HalfTile>(a, rowStride, depthStride, bp, ldb, cp, ldc, kc, rows, cols, add);
        else Tile512InPlaceA<FullTile>(a, rowStride, depthStride, bp, ldb, cp, ldc, kc, rows, cols, add);
    }

    /// <summary>
    /// 8 (or, for <see cref="HalfTile"/>, 4) rows by 32 columns, 16 (8) Vector512 accumulators, with
    /// A(r, p) = a[r·rowStride + p·depthStride]: a packed tile (rowStride 1, depthStride 8) or A in place (row-major: lda,
    /// 1; transposed: 1, lda). Rows past <paramref name="rows"/> read row 0 again; their results are not stored. The
    /// multiply-adds of an element run in the same order whatever the layout and the height, so a product has the same
    /// bits packed or in place, in whole or half tiles.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile512InPlaceA<THeight>(float* a, nint rowStride, nint depthStride, float* bp, int ldb, float* cp, int ldc, int kc, int rows, int cols, bool add)
        where THeight : struct, ITileHeight
    {
        int height = THeight.Full ? RowTile : RowTile / 2;
        PrefetchTile(cp, ldc, Math.Min(rows, height), 32);
        nint rs = rowStride;
        nint o1 = rows > 1 ? rs : 0, o2 = rows > 2 ? 2 * rs : 0, o3 = rows > 3 ? 3 * rs : 0, o4 = rows > 4 ? 4 * rs : 0;
        nint o5 = rows > 5 ? 5 * rs : 0, o6 = rows > 6 ? 6 * rs : 0, o7 = rows > 7 ? 7 * rs : 0;
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(bp), b1 = Vector512.Load(bp + 16);
            Vector512<float> x = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a[o1]);
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a[o2]);
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a[o3]);
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            if (THeight.Full)
            {
                x = Vector512.Create(a[o4]);
                c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
                x = Vector512.Create(a[o5]);
                c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
                x = Vector512.Create(a[o6]);
                c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
                x = Vector512.Create(a[o7]);
                c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
            }
            a += depthStride;
            bp += ldb;
        }
        if (rows == height && cols == 32)
        {
            Store512(cp, c00, c01, add); cp += ldc;
            Store512(cp, c10, c11, add); cp += ldc;
            Store512(cp, c20, c21, add); cp += ldc;
            Store512(cp, c30, c31, add);
            if (THeight.Full)
            {
                cp += ldc;
                Store512(cp, c40, c41, add); cp += ldc;
                Store512(cp, c50, c51, add); cp += ldc;
                Store512(cp, c60, c61, add); cp += ldc;
                Store512(cp, c70, c71, add);
            }
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
        PrefetchTile(cp, ldc, rows, 16);
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
        PrefetchTile(cp, ldc, rows, 8);
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
