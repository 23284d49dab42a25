using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NoisyRnn.Kernels;

/// <summary>
/// The float64 sums of Gaussian kernels behind <c>Analysis.GaussianKde</c>'s log density, written once over
/// <see cref="ISimdDoubleVector{TSelf}"/> (<see cref="D512"/> at Vector512, <see cref="D256"/> at Vector256) with a scalar
/// twin below. Points are stored by coordinate: coordinate k of point j at <c>data[k·stride + j]</c>, with a per-point
/// offset o_j (the log-weight term) at <c>offset[j]</c>; vector tiers read whole vectors, so leaves are padded to a
/// multiple of 8 points. Each tier sums in its own fixed order, so results agree across tiers to rounding, not bits.
/// </summary>
internal static class GaussianKernelSums
{
    /// <summary>Σ_j exp(−½ (|q − y_j|² + o_j − shift)) over points [start, end), in one pass; also the smallest
    /// o_j + |q − y_j|² (<paramref name="leafMin"/>).</summary>
    public static double LeafSum(ReadOnlySpan<double> query, double[] data, int stride, double[] offset, int start, int end, double shift,
        out double leafMin, IsaTier tier) =>
        tier == IsaTier.Vector512 ? LeafSum<D512>(query, data, stride, offset, start, end, shift, out leafMin)
        : tier >= IsaTier.Vector256 ? LeafSum<D256>(query, data, stride, offset, start, end, shift, out leafMin)
        : LeafSumScalar(query, data, stride, offset, start, end, shift, out leafMin);

    /// <summary>dist[j] = o[start + j] + Σ_k (q_k − y_k[start + j])²; returns min_j dist[j]. dist.Length is a multiple of 8.</summary>
    public static double SquaredDistances(ReadOnlySpan<double> query, double[] data, int stride, double[] offset, int start, Span<double> dist,
        IsaTier tier) =>
        tier == IsaTier.Vector512 ? SquaredDistances<D512>(query, data, stride, offset, start, dist)
        : tier >= IsaTier.Vector256 ? SquaredDistances<D256>(query, data, stride, offset, start, dist)
        : SquaredDistancesScalar(query, data, stride, offset, start, dist);

    /// <summary>Σ_j exp(−½ (dist[j] − shift)), in a fixed order for a given tier. dist.Length is a multiple of 8.</summary>
    public static double SumShiftedExp(ReadOnlySpan<double> dist, double shift, IsaTier tier) =>
        tier == IsaTier.Vector512 ? SumShiftedExp<D512>(dist, shift)
        : tier >= IsaTier.Vector256 ? SumShiftedExp<D256>(dist, shift)
        : SumShiftedExpScalar(dist, shift);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double LeafSum<V>(ReadOnlySpan<double> query, double[] points, int stride, double[] offsets, int start, int end, double shift,
        out double leafMin) where V : struct, ISimdDoubleVector<V>
    {
        int d = query.Length;
        ref double data = ref MemoryMarshal.GetArrayDataReference(points);
        ref double weightOffset = ref MemoryMarshal.GetArrayDataReference(offsets);
        V min = V.Create(double.PositiveInfinity), acc = V.Zero, half = V.Create(-0.5), offset = V.Create(0.5 * shift);
        for (int j = start; j < end; j += V.Count)
        {
            V d2 = V.Load(ref weightOffset, (nuint)j);
            for (int k = 0; k < d; k++)
            {
                V diff = V.Create(query[k]) - V.Load(ref data, (nuint)(k * stride + j));
                d2 = V.FusedMultiplyAdd(diff, diff, d2);
            }
            min = V.Min(min, d2);
            acc += V.Exp(V.FusedMultiplyAdd(d2, half, offset));
        }
        leafMin = V.MinAcross(min);
        return V.Sum(acc);
    }

    private static double LeafSumScalar(ReadOnlySpan<double> query, double[] points, int stride, double[] offsets, int start, int end, double shift,
        out double leafMin)
    {
        int d = query.Length;
        double smin = double.PositiveInfinity, sum = 0;
        for (int j = start; j < end; j++)
        {
            double d2 = offsets[j];
            for (int k = 0; k < d; k++)
            {
                double diff = query[k] - points[k * stride + j];
                d2 += diff * diff;
            }
            smin = Math.Min(smin, d2);
            sum += Math.Exp(0.5 * shift - 0.5 * d2);
        }
        leafMin = smin;
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double SquaredDistances<V>(ReadOnlySpan<double> query, double[] points, int stride, double[] offsets, int start, Span<double> dist)
        where V : struct, ISimdDoubleVector<V>
    {
        int d = query.Length, length = dist.Length;
        ref double data = ref MemoryMarshal.GetArrayDataReference(points);
        ref double weightOffset = ref MemoryMarshal.GetArrayDataReference(offsets);
        ref double output = ref MemoryMarshal.GetReference(dist);
        V min = V.Create(double.PositiveInfinity);
        for (int j = 0; j < length; j += V.Count)
        {
            V acc = V.Load(ref weightOffset, (nuint)(start + j));
            for (int k = 0; k < d; k++)
            {
                V diff = V.Create(query[k]) - V.Load(ref data, (nuint)(k * stride + start + j));
                acc = V.FusedMultiplyAdd(diff, diff, acc);
            }
            acc.Store(ref output, (nuint)j);
            min = V.Min(min, acc);
        }
        return V.MinAcross(min);
    }

    private static double SquaredDistancesScalar(ReadOnlySpan<double> query, double[] points, int stride, double[] offsets, int start, Span<double> dist)
    {
        int d = query.Length;
        double smin = double.PositiveInfinity;
        for (int j = 0; j < dist.Length; j++)
        {
            double acc = offsets[start + j];
            for (int k = 0; k < d; k++)
            {
                double diff = query[k] - points[k * stride + start + j];
                acc += diff * diff;
            }
            dist[j] = acc;
            smin = Math.Min(smin, acc);
        }
        return smin;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double SumShiftedExp<V>(ReadOnlySpan<double> dist, double shift) where V : struct, ISimdDoubleVector<V>
    {
        ref double input = ref MemoryMarshal.GetReference(dist);
        V half = V.Create(-0.5), offset = V.Create(0.5 * shift), acc = V.Zero;
        for (int j = 0; j < dist.Length; j += V.Count)
            acc += V.Exp(V.FusedMultiplyAdd(V.Load(ref input, (nuint)j), half, offset));
        return V.Sum(acc);
    }

    private static double SumShiftedExpScalar(ReadOnlySpan<double> dist, double shift)
    {
        double sum = 0;
        for (int j = 0; j < dist.Length; j++) sum += Math.Exp(0.5 * shift - 0.5 * dist[j]);
        return sum;
    }
}
