using System.Runtime.CompilerServices;

namespace NoisyRnn.Kernels;

/// <summary>
/// Squared distances from one point to many in the plane, the first pass of <c>Tasks.PlaceCells</c>' place code:
/// row[i] = (px − cx[i])² + (py − cy[i])² (each square rounded, then the sum: no fused multiply-add, so every tier and
/// the scalar twin give the same bits), and their minimum. Written once over <see cref="ISimdVector{TSelf}"/> and run by
/// <see cref="Simd.Run{TKernel}"/>.
/// </summary>
internal static unsafe class PlanarDistances
{
    /// <summary>Fills <paramref name="row"/> (length n = cx.Length = cy.Length) and returns its minimum (+∞ when empty).
    /// Inputs are finite, so no distance is NaN and the minimum does not depend on the order it is taken in.</summary>
    public static float Squared(float px, float py, ReadOnlySpan<float> cx, ReadOnlySpan<float> cy, Span<float> row, IsaTier tier)
    {
        fixed (float* x = cx, y = cy, d = row)
        {
            var kernel = new Kernel { X = x, Y = y, Row = d, Px = px, Py = py, Min = float.PositiveInfinity };
            Simd.Run(ref kernel, row.Length, tier);
            return kernel.Min;
        }
    }

    private struct Kernel : IElementwiseKernel
    {
        public float* X, Y, Row;
        public float Px, Py, Min;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Vectors<V>(ref int index, int n) where V : struct, ISimdVector<V>
        {
            float* x = X, y = Y, row = Row;
            V vx = V.Create(Px), vy = V.Create(Py), vmin = V.Create(float.PositiveInfinity);
            int i = index;
            if (i > n - V.Count) return;
            for (; i <= n - V.Count; i += V.Count)
            {
                V dx = vx - V.Load(x + i), dy = vy - V.Load(y + i);
                V d = dx * dx + dy * dy;
                d.Store(row + i);
                vmin = V.Min(vmin, d);
            }
            Min = Math.Min(Min, V.MinAcross(vmin));
            index = i;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Scalar(int i, int n)
        {
            float min = Min;
            for (; i < n; i++)
            {
                float dx = Px - X[i], dy = Py - Y[i];
                float d = dx * dx + dy * dy;
                Row[i] = d;
                if (d < min) min = d;
            }
            Min = min;
        }
    }
}
