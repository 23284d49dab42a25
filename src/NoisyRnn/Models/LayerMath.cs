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
