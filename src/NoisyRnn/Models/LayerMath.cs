using System.Numerics.Tensors;
using NoisyRnn.Noise;

namespace NoisyRnn.Models;

/// <summary>Small pieces both recurrent cells need: bias rows, bias gradients and PyTorch's default initialisation.</summary>
internal static class LayerMath
{
    /// <summary>Adds <paramref name="vector"/> to each of the <paramref name="rows"/> rows of <paramref name="matrix"/>.</summary>
    public static void AddToRows(Span<float> matrix, int rows, ReadOnlySpan<float> vector)
    {
        int n = vector.Length;
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = matrix.Slice(r * n, n);
            TensorPrimitives.Add(row, vector, row);
        }
    }

    /// <summary>Adds every row of a [rows, sum.Length] matrix into <paramref name="sum"/> (the gradient of a bias).</summary>
    public static void SumRows(ReadOnlySpan<float> matrix, int rows, Span<float> sum)
    {
        int n = sum.Length;
        for (int r = 0; r < rows; r++) TensorPrimitives.Add(sum, matrix.Slice(r * n, n), sum);
    }

    /// <summary>
    /// The gradient of a readout bias: the rows of a [rows, sum.Length] matrix summed piece by piece (pieces of
    /// <see cref="Kernels.Gemm.ChunkDepth"/> rows when the readout's weight gradient is cut into depth pieces, else one piece),
    /// each from zero in row order, and the piece sums added into <paramref name="sum"/> in piece order: the order of
    /// <see cref="MseReadout"/>, so the separate and the fused readout give the same bits.
    /// </summary>
    public static void SumRowsInPieces(ReadOnlySpan<float> matrix, int rows, int weightRows, int weightColumns, Span<float> sum)
    {
        int n = sum.Length;
        int pieceRows = Kernels.Gemm.Chunks(weightRows, weightColumns, rows) > 1 ? Kernels.Gemm.ChunkDepth : rows;
        Span<float> piece = n <= 1024 ? stackalloc float[n] : new float[n];
        for (int r0 = 0; r0 < rows; r0 += pieceRows)
        {
            piece.Clear();
            SumRows(matrix[(r0 * n)..], Math.Min(pieceRows, rows - r0), piece);
            TensorPrimitives.Add(sum, piece, sum);
        }
    }

    /// <summary>
    /// torch <c>nn.Linear</c> default: every value of a layer with fan-in f drawn from U(-1/sqrt(f), 1/sqrt(f)), from one
    /// seeded xoshiro256** stream in buffer order.
    /// </summary>
    public static void InitializeUniformFanIn(ParameterSet parameters, ulong seed, Func<string, int> fanIn)
    {
        var rng = new Xoshiro256(seed);
        foreach (var view in parameters.Views)
        {
            double bound = 1.0 / Math.Sqrt(fanIn(view.Name));
            Span<float> values = parameters[view.Name];
            for (int i = 0; i < values.Length; i++) values[i] = (float)((2.0 * rng.NextDouble() - 1.0) * bound);
        }
    }
}
