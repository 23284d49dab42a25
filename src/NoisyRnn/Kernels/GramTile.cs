using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NoisyRnn.Kernels;

/// <summary>
/// A 4 × 4 tile of dot products between rows of a float64 block, the inner kernel of <c>Analysis.Pca</c>'s covariance
/// (C += Bᵀ B block by block): tile[a·4 + c] = Σ_r block[i0 + a, r] · block[j0 + c, r] over the <c>rows</c> columns of
/// a row-major [·, rows] block. Written once over <see cref="ISimdDoubleVector{TSelf}"/> (<see cref="D512"/> at Vector512,
/// <see cref="D256"/> at Vector256; 16 accumulators, fused multiply-adds) with a scalar twin below; rows must be a
/// multiple of 8. Each tier sums in its own order, so tiers agree to rounding, not bits.
/// </summary>
internal static class GramTile
{
    /// <summary>Writes the tile of rows i0..i0+3 against rows j0..j0+3 of <paramref name="block"/> into <paramref name="tile"/> (16).</summary>
    public static void Dot(double[] block, int rows, int i0, int j0, Span<double> tile, IsaTier tier)
    {
        if (tier == IsaTier.Vector512) Dot<D512>(block, rows, i0, j0, tile);
        else if (tier >= IsaTier.Vector256) Dot<D256>(block, rows, i0, j0, tile);
        else DotScalar(block, rows, i0, j0, tile);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot<V>(double[] block, int rows, int i0, int j0, Span<double> tile) where V : struct, ISimdDoubleVector<V>
    {
        ref double b = ref MemoryMarshal.GetArrayDataReference(block);
        V s00 = V.Zero, s01 = V.Zero, s02 = V.Zero, s03 = V.Zero;
        V s10 = V.Zero, s11 = V.Zero, s12 = V.Zero, s13 = V.Zero;
        V s20 = V.Zero, s21 = V.Zero, s22 = V.Zero, s23 = V.Zero;
        V s30 = V.Zero, s31 = V.Zero, s32 = V.Zero, s33 = V.Zero;
        nuint n = (nuint)rows, ia = (nuint)(i0 * rows), ja = (nuint)(j0 * rows);
        for (nuint r = 0; r < n; r += (nuint)V.Count)
        {
            V x0 = V.Load(ref b, ia + r), x1 = V.Load(ref b, ia + n + r), x2 = V.Load(ref b, ia + 2 * n + r), x3 = V.Load(ref b, ia + 3 * n + r);
            V y0 = V.Load(ref b, ja + r), y1 = V.Load(ref b, ja + n + r), y2 = V.Load(ref b, ja + 2 * n + r), y3 = V.Load(ref b, ja + 3 * n + r);
            s00 = V.FusedMultiplyAdd(x0, y0, s00); s01 = V.FusedMultiplyAdd(x0, y1, s01);
            s02 = V.FusedMultiplyAdd(x0, y2, s02); s03 = V.FusedMultiplyAdd(x0, y3, s03);
            s10 = V.FusedMultiplyAdd(x1, y0, s10); s11 = V.FusedMultiplyAdd(x1, y1, s11);
            s12 = V.FusedMultiplyAdd(x1, y2, s12); s13 = V.FusedMultiplyAdd(x1, y3, s13);
            s20 = V.FusedMultiplyAdd(x2, y0, s20); s21 = V.FusedMultiplyAdd(x2, y1, s21);
            s22 = V.FusedMultiplyAdd(x2, y2, s22); s23 = V.FusedMultiplyAdd(x2, y3, s23);
            s30 = V.FusedMultiplyAdd(x3, y0, s30); s31 = V.FusedMultiplyAdd(x3, y1, s31);
            s32 = V.FusedMultiplyAdd(x3, y2, s32); s33 = V.FusedMultiplyAdd(x3, y3, s33);
        }
        tile[0] = V.Sum(s00); tile[1] = V.Sum(s01); tile[2] = V.Sum(s02); tile[3] = V.Sum(s03);
        tile[4] = V.Sum(s10); tile[5] = V.Sum(s11); tile[6] = V.Sum(s12); tile[7] = V.Sum(s13);
        tile[8] = V.Sum(s20); tile[9] = V.Sum(s21); tile[10] = V.Sum(s22); tile[11] = V.Sum(s23);
        tile[12] = V.Sum(s30); tile[13] = V.Sum(s31); tile[14] = V.Sum(s32); tile[15] = V.Sum(s33);
    }

    private static void DotScalar(double[] block, int rows, int i0, int j0, Span<double> tile)
    {
        for (int a = 0; a < 4; a++)
        {
            for (int c = 0; c < 4; c++)
            {
                double s = 0;
                for (int r = 0; r < rows; r++) s += block[(i0 + a) * rows + r] * block[(j0 + c) * rows + r];
                tile[a * 4 + c] = s;
            }
        }
    }
}
