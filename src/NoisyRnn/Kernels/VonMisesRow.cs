using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace NoisyRnn.Kernels;

/// <summary>
/// One row of <c>Tasks.HeadDirectionCells</c>' code: row[i] = min(exp(m·(s·cos(μ_i/2) − c·sin(μ_i/2))²), 1) with
/// s = sin(θ/2), c = cos(θ/2), m = −2κ, i.e. exp(κ (cos(θ − μ_i) − 1)) clipped to its exact peak of 1.
/// The scalar twin is the same steps as TensorPrimitives passes over the row (Multiply, MultiplyAdd, Multiply, Multiply, Exp,
/// Min; TensorPrimitives vectorises them itself). At <see cref="IsaTier.Vector512"/> the steps run fused in one pass over whole
/// vectors, written once over <see cref="ISimdVector{TSelf}"/>, with the same operations in the same order (separate
/// multiply and add; Vector512.Exp is TensorPrimitives.Exp's), then the twin finishes the tail. Narrower tiers run the twin
/// on the whole row: routing its tail through 256- and 128-bit vectors and a scalar loop, as <see cref="Simd.Run{TKernel}"/>
/// would, could change the last bits of up to three tail cells (scalar exp where TensorPrimitives uses a vector).
/// </summary>
internal static unsafe class VonMisesRow
{
    /// <summary>Writes <paramref name="row"/> (length = cosHalf.Length = sinHalf.Length).</summary>
    public static void Encode(ReadOnlySpan<float> cosHalf, ReadOnlySpan<float> sinHalf, float s, float minusC, float minusTwoKappa, Span<float> row,
        IsaTier tier)
    {
        fixed (float* cos = cosHalf, sin = sinHalf, r = row)
        {
            var kernel = new Kernel { CosHalf = cos, SinHalf = sin, Row = r, S = s, MinusC = minusC, MinusTwoKappa = minusTwoKappa };
            int i = 0;
            if (tier == IsaTier.Vector512) kernel.Vectors<V512>(ref i, row.Length);
            kernel.Scalar(i, row.Length);
        }
    }

    private struct Kernel : IElementwiseKernel
    {
        public float* CosHalf, SinHalf, Row;
        public float S, MinusC, MinusTwoKappa;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Vectors<V>(ref int index, int n) where V : struct, ISimdVector<V>
        {
            float* cos = CosHalf, sin = SinHalf, row = Row;
            V s = V.Create(S), minusC = V.Create(MinusC), m = V.Create(MinusTwoKappa), one = V.Create(1f);
            int i = index;
            for (; i <= n - V.Count; i += V.Count)
            {
                V v = V.Load(cos + i) * s;
                v = V.Load(sin + i) * minusC + v;
                v = V.Exp(v * v * m);
                V.Min(v, one).Store(row + i);
            }
            index = i;
        }

        public readonly void Scalar(int i, int n)
        {
            if (i == n) return;
            var tail = new Span<float>(Row + i, n - i);
            // row_i = sin((theta - mu_i) / 2) = sin(theta/2) cos(mu_i/2) - cos(theta/2) sin(mu_i/2); exactly 0 when theta = mu_i
            // (MultiplyAdd rounds the product before the add), so each cell's peak is exactly 1.
            TensorPrimitives.Multiply(new ReadOnlySpan<float>(CosHalf + i, n - i), S, tail);
            TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(SinHalf + i, n - i), MinusC, tail, tail);
            // exp(kappa (cos d - 1)) = exp(-2 kappa sin^2(d / 2)): the exponent is <= 0 for any kappa, so values stay in (0, 1].
            TensorPrimitives.Multiply(tail, tail, tail);
            TensorPrimitives.Multiply(tail, MinusTwoKappa, tail);
            TensorPrimitives.Exp(tail, tail);
            // The vectorised exp returns 1 + 1 ulp for some exponents at or just below 0: keep the documented peak of exactly 1.
            TensorPrimitives.Min(tail, 1f, tail);
        }
    }
}
