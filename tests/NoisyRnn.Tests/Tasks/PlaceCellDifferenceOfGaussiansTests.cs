using NoisyRnn.Tasks;

namespace NoisyRnn.Tests.Tasks;

public class PlaceCellDifferenceOfGaussiansTests
{
    /// <summary>A 9 x 9 grid of centres 0.2 m apart on [-0.8, 0.8]^2; cell 40 is at the origin.</summary>
    private static PlaceCells Grid(double sigma = 0.2)
    {
        var c = new float[2 * 81];
        for (int i = 0; i < 81; i++)
        {
            c[2 * i] = (float)(-0.8 + 0.2 * (i % 9));
            c[2 * i + 1] = (float)(-0.8 + 0.2 * (i / 9));
        }
        return new PlaceCells(c, sigma).WithTuning(PlaceCellTuning.DifferenceOfGaussians);
    }

    private static float[] Encode(PlaceCells pc, params float[] positions)
    {
        var a = new float[positions.Length / 2 * pc.Count];
        pc.Encode(positions, a);
        return a;
    }

    [Fact]
    public void RowsAreNonNegativeAndSumToOne()
    {
        var pc = PlaceCells.CreateRandom(512, 0.2, 2.2, 2.2, seed: 5).WithTuning(PlaceCellTuning.DifferenceOfGaussians);
        var d = new double[2 * 50];
        new SeededTaskRandom(6).Uniform(-1.1, 1.1, d);
        float[] a = Encode(pc, Array.ConvertAll(d, x => (float)x));
        for (int r = 0; r < 50; r++)
        {
            var row = a.AsSpan(r * 512, 512);
            double sum = 0;
            foreach (float v in row)
            {
                Assert.True(v >= 0, $"row {r}: {v}");
                sum += v;
            }
            Assert.Equal(1.0, sum, 1e-5);
            Assert.Equal(0f, System.Numerics.Tensors.TensorPrimitives.Min(row)); // the shift puts the least active cell at 0
        }
    }

    [Fact]
    public void CentreCellIsMostActiveAndTheSurroundRingIsBelowTheMean()
    {
        var pc = Grid();
        float[] a = Encode(pc, 0f, 0f);
        Assert.Equal(40, System.Numerics.Tensors.TensorPrimitives.IndexOfMax(a));
        float mean = 1f / pc.Count;
        // Cells 0.4 m away (two grid steps, on the surround ring) are suppressed below the mean; the corner cells (1.13 m)
        // are where both Gaussians vanish, at about the mean.
        foreach (int i in new[] { 38, 42, 22, 58 }) Assert.True(a[i] < mean, $"cell {i}: {a[i]} vs mean {mean}");
        foreach (int i in new[] { 0, 8, 72, 80 }) Assert.True(a[i] > a[38] && Math.Abs(a[i] - mean) < 0.1 * mean, $"cell {i}: {a[i]}");
    }

    [Fact]
    public void DiffersFromTheGaussianCodeWhichIsUnchanged()
    {
        var dog = Grid();
        var gauss = new PlaceCells(dog.Centers, dog.Sigma);
        Assert.Equal(PlaceCellTuning.Gaussian, gauss.Tuning);
        Assert.Equal(PlaceCellTuning.DifferenceOfGaussians, dog.Tuning);
        Assert.Equal(2.0, dog.SurroundScale);
        float[] g = Encode(gauss, 0.1f, -0.3f), d = Encode(dog, 0.1f, -0.3f);
        Assert.NotEqual(g, d);
        Assert.Equal(g, Encode(gauss.WithTuning(PlaceCellTuning.Gaussian, 3.0), 0.1f, -0.3f));
        // Decoding stays top-k: both codes decode the same nearby position.
        var pg = new float[2];
        var pd = new float[2];
        gauss.Decode(g, pg);
        dog.Decode(d, pd);
        Assert.Equal(pg, pd);
    }

    [Theory]
    [InlineData(50f, 50f)]
    [InlineData(1e6f, -1e6f)]
    [InlineData(3e37f, 3e37f)]
    public void FarPositionsAreFinite(float x, float y)
    {
        float[] a = Encode(Grid(), x, y);
        Assert.All(a, v => Assert.True(float.IsFinite(v) && v >= 0));
        Assert.Equal(1.0, a.Sum(v => (double)v), 1e-5);
    }

    [Fact]
    public void SingleCellGivesOne()
    {
        var pc = new PlaceCells(new float[] { 0f, 0f }, 0.2).WithTuning(PlaceCellTuning.DifferenceOfGaussians);
        Assert.Equal(new[] { 1f }, Encode(pc, 0.3f, 0.1f));
    }

    [Fact]
    public void ScalarTwinAgrees()
    {
        var pc = Grid();
        float[] pos = { 0.05f, 0.1f, -0.7f, 0.4f };
        var a = new float[2 * pc.Count];
        var b = new float[2 * pc.Count];
        pc.Encode(pos, a);
        pc.EncodeScalar(pos, b);
        Assert.Equal(a, b);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(1e308)]
    public void BadSurroundScaleIsRejected(double s)
    {
        var pc = new PlaceCells(new float[] { 0f, 0f }, 0.2);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => pc.WithTuning(PlaceCellTuning.DifferenceOfGaussians, s));
        Assert.Equal("surroundScale", e.ParamName);
    }

    [Fact]
    public void UnknownTuningAndJacobianAreRejected()
    {
        var pc = new PlaceCells(new float[] { 0f, 0f }, 0.2);
        Assert.Equal("tuning", Assert.Throws<ArgumentOutOfRangeException>(() => pc.WithTuning((PlaceCellTuning)7)).ParamName);
        var dog = pc.WithTuning(PlaceCellTuning.DifferenceOfGaussians);
        Assert.Throws<NotSupportedException>(() => dog.Jacobian(new float[2], new float[2]));
        Assert.Equal("positions", Assert.Throws<ArgumentException>(() => dog.Encode(new[] { float.NaN, 0f }, new float[1])).ParamName);
    }
}
