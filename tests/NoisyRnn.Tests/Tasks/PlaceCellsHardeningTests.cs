using NoisyRnn.Tasks;

namespace NoisyRnn.Tests.Tasks;

public class PlaceCellsHardeningTests
{
    [Fact]
    public void NarrowTuningFarFromEveryCentreStaysFiniteAndPicksTheNearestCell()
    {
        // sigma = 1e-20 m: 2 sigma^2 is a float32 subnormal, so every float32 logit overflows to -infinity.
        var cells = new PlaceCells([0f, 0f, 1f, 1f, -1f, 0.5f], 1e-20);
        var a = new float[3];
        cells.Encode([0.6f, 0.6f], a);
        Assert.All(a, v => Assert.True(float.IsFinite(v), $"activation {v}"));
        Assert.Equal([0f, 1f, 0f], a);
    }

    [Theory]
    [InlineData(1e-200)] // 2 sigma^2 underflows to 0 even in float64
    [InlineData(1e200)] // 2 sigma^2 overflows to infinity
    public void SigmaWhoseSquareIsNotRepresentableIsRejected(double sigma)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new PlaceCells([0f, 0f, 1f, 1f], sigma));
        Assert.Equal("sigma", e.ParamName);
    }
}
