using System.Numerics.Tensors;
using NoisyRnn.Tasks;

namespace NoisyRnn.Tests.Tasks;

/// <summary>
/// The one-pass vector encoding of a heading must give the bits of the documented sequence of element-wise passes
/// (half-angle sine, square, scale, exp, clamp at 1), which still handles the cells past the last whole vector.
/// </summary>
public class HeadDirectionEncodeBitsTests
{
    private static float[] Reference(HeadDirectionCells cells, float theta)
    {
        ReadOnlySpan<float> mu = cells.PreferredAngles;
        float[] cosHalf = new float[mu.Length], sinHalf = new float[mu.Length], row = new float[mu.Length];
        for (int i = 0; i < mu.Length; i++)
        {
            cosHalf[i] = (float)Math.Cos(0.5 * mu[i]);
            sinHalf[i] = (float)Math.Sin(0.5 * mu[i]);
        }
        (double sin, double cos) = Math.SinCos(0.5 * theta);
        TensorPrimitives.Multiply(cosHalf, (float)sin, row);
        TensorPrimitives.MultiplyAdd(sinHalf, -(float)cos, row, row);
        TensorPrimitives.Multiply(row, row, row);
        TensorPrimitives.Multiply(row, (float)(-2.0 * cells.Kappa), row);
        TensorPrimitives.Exp(row, row);
        TensorPrimitives.Min(row, 1f, row);
        return row;
    }

    [Theory]
    [InlineData(512)] // whole vectors only (the paper's cell count)
    [InlineData(37)]  // two vectors and a tail
    [InlineData(5)]   // tail only
    public void EncodingHasTheBitsOfTheElementWisePasses(int count)
    {
        var cells = new HeadDirectionCells(count, Math.PI / 6);
        var rng = new Random(count);
        float[] headings = Enumerable.Range(0, 300).Select(i => i < count ? cells.PreferredAngles[i] : (float)((rng.NextDouble() * 2 - 1) * 4 * Math.PI)).ToArray();
        var activations = new float[headings.Length * count];
        cells.Encode(headings, activations);
        for (int n = 0; n < headings.Length; n++)
        {
            float[] expected = Reference(cells, headings[n]);
            for (int i = 0; i < count; i++)
            {
                float actual = activations[n * count + i];
                Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual),
                    $"heading {headings[n]}, cell {i}: {expected[i]} vs {actual}");
            }
            if (n < count) Assert.Equal(1f, activations[n * count + n]); // a cell's own preferred angle gives exactly 1
        }
    }
}
