namespace NoisyRnn.Kernels;

/// <summary>
/// Scalar twin of <see cref="Gemm"/>: the same three products with the same signatures, computed one element at a
/// time with the same summation order (fused multiply-adds over k in blocks of <see cref="Gemm.DepthBlock"/>, each
/// block's sum added to C). Used as the test oracle and as the fallback when no SIMD tier is available.
/// </summary>
public static class GemmScalar
{
    /// <summary>C (+)= A·Bᵀ. A is [m, k], B is [n, k] (PyTorch <c>nn.Linear</c> weight layout), C is [m, n]; all row-major.</summary>
    /// <param name="a">A, [m, k] row-major.</param>
    /// <param name="b">B, [n, k] row-major.</param>
    /// <param name="c">C, [m, n] row-major; must not overlap A or B.</param>
    /// <param name="m">Rows of A and C; &gt;= 0.</param>
    /// <param name="n">Rows of B, columns of C; &gt;= 0.</param>
    /// <param name="k">Shared inner dimension; &gt;= 0.</param>
    /// <param name="accumulate">True adds the product to C; false overwrites C.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative.</exception>
    /// <exception cref="ArgumentException">A span length differs from its shape.</exception>
    public static void MultiplyTransposedB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate = false)
    {
        Gemm.CheckShapes(a.Length, b.Length, c.Length, m, n, k, "[m, k]", "[n, k]");
        Core(a, k, false, b, 1, k, c, n, m, n, k, accumulate);
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
        Gemm.CheckShapes(a.Length, b.Length, c.Length, m, n, k, "[m, k]", "[k, n]");
        Core(a, k, false, b, n, 1, c, n, m, n, k, accumulate);
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
        Gemm.CheckShapes(a.Length, b.Length, c.Length, m, n, k, "[k, m]", "[k, n]");
        Core(a, m, true, b, n, 1, c, n, m, n, k, accumulate);
    }

    /// <summary>
    /// Element (i, j) = sum over p of A(i, p)·B(p, j) with A(i, p) = a[i·lda + p] (or a[p·lda + i] when
    /// <paramref name="transposeA"/>) and B(p, j) = b[p·bRowStride + j·bColStride]; fused multiply-adds over p
    /// in blocks of <see cref="Gemm.DepthBlock"/>, exactly as the SIMD kernels order them.
    /// </summary>
    internal static void Core(ReadOnlySpan<float> a, int lda, bool transposeA, ReadOnlySpan<float> b, int bRowStride, int bColStride,
        Span<float> c, int ldc, int m, int n, int k, bool accumulate)
    {
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate)
            {
                for (int i = 0; i < m; i++) c.Slice(i * ldc, n).Clear();
            }
            return;
        }
        int chunks = Gemm.Chunks(m, n, k);
        if (chunks > 1)
        {
            // Deep product: depth pieces into their own partials, added to C in piece order (as Gemm does).
            var partial = new float[m * n];
            for (int piece = 0; piece < chunks; piece++)
            {
                int k0 = piece * Gemm.ChunkDepth, depth = Math.Min(Gemm.ChunkDepth, k - k0);
                ReadOnlySpan<float> aPiece = transposeA ? a[(k0 * lda)..] : a[k0..];
                Core(aPiece, lda, transposeA, b[(k0 * bRowStride)..], bRowStride, bColStride, partial, n, m, n, depth, false);
                for (int i = 0; i < m; i++)
                {
                    for (int j = 0; j < n; j++)
                    {
                        ref float cij = ref c[i * ldc + j];
                        cij = piece == 0 && !accumulate ? partial[i * n + j] : cij + partial[i * n + j];
                    }
                }
            }
            return;
        }
        for (int kb = 0; kb < k; kb += Gemm.DepthBlock)
        {
            int kc = Math.Min(Gemm.DepthBlock, k - kb);
            bool add = accumulate || kb > 0;
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    float sum = 0f;
                    for (int p = kb; p < kb + kc; p++)
                    {
                        float aip = transposeA ? a[p * lda + i] : a[i * lda + p];
                        sum = MathF.FusedMultiplyAdd(aip, b[p * bRowStride + j * bColStride], sum);
                    }
                    ref float cij = ref c[i * ldc + j];
                    cij = add ? cij + sum : sum;
                }
            }
        }
    }
}
