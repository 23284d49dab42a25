using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using NoisyRnn.Kernels;

namespace NoisyRnn.Noise;

/// <summary>
/// Seeded zero-mean, unit-variance Gaussian draws (the paper's noise), by the Box-Muller transform over blocks of
/// 1024 values: 64-bit words come from eight interleaved xoshiro256** streams at once (<c>Xoshiro256x8</c>), each
/// word giving a 24-bit u1 in (0, 1] and a 24-bit angle; r = sqrt(-2 ln u1) uses TensorPrimitives, and sin and cos of
/// the angle use an exact quarter-turn reduction and short polynomials on [-pi/4, pi/4] (absolute error below 1e-7).
/// The same seed and the same sequence of <see cref="Fill"/> lengths always yield the same values for any thread count;
/// the Vector512 and Vector256 tiers give identical bits (checked), while with hardware intrinsics disabled
/// TensorPrimitives' scalar log can differ in the last bit. About 2 ns per draw on one core (10.24 million draws in about 20 ms).
/// </summary>
/// <remarks>A call of n values consumes ceil(ceil(n / 2) / 16) * 2 vector steps per block of 1024 values and discards what
/// it does not need, so the values depend on how a stream is split into calls. The first half of each block holds
/// r cos(theta), the second half r sin(theta) of the same pairs.</remarks>
public sealed unsafe class GaussianNoiseSource : INoiseSource
{
    private const int Block = 1024;
    private const int Pairs = Block / 2;
    private const int Step = 16; // pairs per loop iteration: two eight-lane generator steps
    private Xoshiro256x8 _rng;

    // Per-thread block scratch: a source is a few words of generator state, so a trainer can create fresh seeded
    // streams every step without allocating buffers (Fill never runs twice at once on one thread).
    [ThreadStatic] private static float[]? t_radius;
    [ThreadStatic] private static int[]? t_angle;

    /// <summary>Creates a stream from a seed.</summary>
    /// <param name="seed">Any 64-bit value; equal seeds give equal streams.</param>
    public GaussianNoiseSource(ulong seed) => _rng = new Xoshiro256x8(seed);

    /// <inheritdoc />
    public NoiseDistribution Distribution => NoiseDistribution.StandardNormal;

    /// <inheritdoc />
    public void Fill(Span<float> destination) => FillFrom(ref _rng, destination);

    /// <summary>The draws of <see cref="Fill"/> from the generator <paramref name="rng"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FillFrom(ref Xoshiro256x8 rng, Span<float> destination)
    {
        const float Unit = 1.0f / 16777216.0f; // 2^-24
        var mask = Vector512.Create(0xFFFFFFUL);
        var one = Vector512<ulong>.One;
        float[] radiusBuffer = t_radius ??= new float[Pairs];
        int[] angleBuffer = t_angle ??= new int[Pairs];
        while (destination.Length > 0)
        {
            int n = Math.Min(destination.Length, Block);
            int pairs = (n + 1) / 2;
            int rounded = (pairs + Step - 1) / Step * Step;
            ref float radius = ref radiusBuffer[0];
            ref int angle = ref angleBuffer[0];
            for (int i = 0; i < rounded; i += Step)
            {
                // One 64-bit word gives u1 = (top 24 bits + 1) / 2^24 in (0, 1] (log stays finite) and a 24-bit angle.
                Vector512<ulong> a = rng.Next(), b = rng.Next();
                Vector512<uint> high = Vector512.Narrow(Vector512.ShiftRightLogical(a, 40) + one, Vector512.ShiftRightLogical(b, 40) + one);
                Vector512<uint> low = Vector512.Narrow(Vector512.ShiftRightLogical(a, 8) & mask, Vector512.ShiftRightLogical(b, 8) & mask);
                (Vector512.ConvertToSingle(high) * Unit).StoreUnsafe(ref radius, (nuint)i);
                low.AsInt32().StoreUnsafe(ref angle, (nuint)i);
            }
            Span<float> r = radiusBuffer.AsSpan(0, rounded);
            // r = sqrt(-2 ln u1)
            TensorPrimitives.Log(r, r);
            TensorPrimitives.Multiply(r, -2f, r);
            TensorPrimitives.Sqrt(r, r);
            int half = n / 2;
            SinCosTimesRadius(destination[..half], destination.Slice(half, n - half), radiusBuffer, angleBuffer, rounded);
            destination = destination[n..];
        }
    }

    /// <summary>
    /// Rows from their own substreams, drawn on all cores: one 64-bit word w of this stream (lane 0 of one generator
    /// step) is taken, and row r holds the first draws of <c>new GaussianNoiseSource(s_r)</c> with s_r the SplitMix64
    /// output of w xor (r + 1)·0xD1B54A32D192ED03. The hash matters: seeds that differ by multiples of SplitMix64's own
    /// increment (w + r·0x9E3779B97F4A7C15, say) would give rows whose generator lanes are shifted copies of each other.
    /// The values depend on the stream state and the row length only, not on the thread count. About 12 ms on one core for the 10.24 million draws of a paper spatial
    /// training step; half that on two.
    /// </summary>
    /// <param name="destination">Buffer to overwrite; its length a multiple of <paramref name="rowLength"/>.</param>
    /// <param name="rowLength">Draws per row; &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rowLength"/> is not positive.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="destination"/> is not a multiple of <paramref name="rowLength"/>.</exception>
    public void FillRows(Span<float> destination, int rowLength)
    {
        INoiseSourceChecks.CheckRows(destination.Length, rowLength);
        if (destination.IsEmpty) return;
        ulong word = _rng.Next().GetElement(0);
        int rows = destination.Length / rowLength;
        fixed (float* d = destination)
        {
            var work = t_rows ??= new RowWork();
            work.Set(d, rowLength, rows, word);
            try
            {
                WorkerPool.RunParts(work, destination.Length >= ParallelLength ? Gemm.MaxThreads : 1);
            }
            finally
            {
                work.Set(null, 0, 0, 0);
            }
        }
    }

    /// <summary>Draws at least this many are split over the cores.</summary>
    private const int ParallelLength = 1 << 16;

    [ThreadStatic] private static RowWork? t_rows;

    /// <summary>Rows of <see cref="FillRows"/>, a range of rows per part.</summary>
    private sealed class RowWork : WorkerPool.IParallelParts
    {
        private float* _destination;
        private int _rowLength, _rows;
        private ulong _word;

        public int Parts { get; private set; }

        public void Set(float* destination, int rowLength, int rows, ulong word)
        {
            _destination = destination;
            _rowLength = rowLength;
            _rows = rows;
            _word = word;
            Parts = Math.Min(rows, 4 * Math.Max(1, Gemm.MaxThreads));
        }

        public void Run(int part)
        {
            (int r0, int r1) = WorkerPool.PartRange(_rows, part, Parts);
            for (int r = r0; r < r1; r++)
            {
                var rng = new Xoshiro256x8(SeedSequence.Row(_word, r));
                FillFrom(ref rng, new Span<float>(_destination + (long)r * _rowLength, _rowLength));
            }
        }
    }

    /// <summary>cosOut[i] = r_i cos(theta_i) and sinOut[i] = r_i sin(theta_i), theta_i = 2 pi angle_i / 2^24.</summary>
    private static void SinCosTimesRadius(Span<float> cosOut, Span<float> sinOut, float[] radiusBuffer, int[] angleBuffer, int rounded)
    {
        // theta = (pi / 2) (k + f) with k = round(angle / 2^22) in 0..4 and f in [-1/2, 1/2]: both found exactly in integers.
        const float QuarterTurnPerUnit = MathF.PI / 2 / 4194304f; // (pi / 2) 2^-22
        Span<float> cosBuffer = stackalloc float[Step];
        Span<float> sinBuffer = stackalloc float[Step];
        ref float radius = ref radiusBuffer[0];
        ref int angle = ref angleBuffer[0];
        for (int i = 0; i < rounded; i += Step)
        {
            Vector512<int> units = Vector512.LoadUnsafe(ref angle, (nuint)i);
            Vector512<int> k = Vector512.ShiftRightArithmetic(units + Vector512.Create(1 << 21), 22);
            Vector512<float> x = Vector512.ConvertToSingle(units - Vector512.ShiftLeft(k, 22)) * QuarterTurnPerUnit;
            Vector512<float> x2 = x * x;
            // Taylor series on |x| <= pi/4: truncation error below 2e-9 (sin) and 2e-10 (cos). Separate multiply and add
            // (no FMA) so that every vector width rounds the same way.
            Vector512<float> sin = x + x * x2 * (Vector512.Create(-1f / 6) + x2 * (Vector512.Create(1f / 120) + x2 * (Vector512.Create(-1f / 5040) + x2 * Vector512.Create(1f / 362880))));
            Vector512<float> cos = Vector512<float>.One + x2 * (Vector512.Create(-0.5f) + x2 * (Vector512.Create(1f / 24) + x2 * (Vector512.Create(-1f / 720) + x2 * (Vector512.Create(1f / 40320) + x2 * Vector512.Create(-1f / 3628800)))));
            // Quarter turn k: (sin, cos)(k pi/2 + x) = (s, c), (c, -s), (-s, -c), (-c, s) for k = 0, 1, 2, 3 (4 is 0).
            Vector512<float> odd = Vector512.Equals(k & Vector512<int>.One, Vector512<int>.One).AsSingle();
            Vector512<float> s = Vector512.ConditionalSelect(odd, cos, sin);
            Vector512<float> c = Vector512.ConditionalSelect(odd, sin, cos);
            Vector512<float> signBit = Vector512.Create(-0.0f);
            s ^= Vector512.ShiftLeft(k & Vector512.Create(2), 30).AsSingle() & signBit;
            c ^= Vector512.ShiftLeft((k + Vector512<int>.One) & Vector512.Create(2), 30).AsSingle() & signBit;
            Vector512<float> r = Vector512.LoadUnsafe(ref radius, (nuint)i);
            int count = Math.Min(Step, cosOut.Length - i);
            if (count == Step) (r * c).StoreUnsafe(ref MemoryMarshal.GetReference(cosOut), (nuint)i);
            else if (count > 0)
            {
                (r * c).CopyTo(cosBuffer);
                cosBuffer[..count].CopyTo(cosOut[i..]);
            }
            count = Math.Min(Step, sinOut.Length - i);
            if (count == Step) (r * s).StoreUnsafe(ref MemoryMarshal.GetReference(sinOut), (nuint)i);
            else if (count > 0)
            {
                (r * s).CopyTo(sinBuffer);
                sinBuffer[..count].CopyTo(sinOut[i..]);
            }
        }
    }
}
