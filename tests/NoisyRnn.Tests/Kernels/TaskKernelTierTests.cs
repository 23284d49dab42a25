using NoisyRnn.Kernels;

namespace NoisyRnn.Tests.Kernels;

/// <summary>The place-code and head-direction kernels at every supported tier against their scalar twins: the same bits.
/// (The float64 analysis kernels, GaussianKernelSums and GramTile, sum in a tier's own order; SimdTierTests compares them
/// with their twins to a tolerance.)</summary>
public class TaskKernelTierTests
{
    [Theory]
    [MemberData(nameof(SimdDriverTests.SupportedTiers), MemberType = typeof(SimdDriverTests))]
    public void PlanarDistancesHaveTheScalarBitsAtEveryTier(IsaTier tier)
    {
        var rng = new Random(3);
        for (int n = 0; n <= 3 * 16 + 5; n++)
        {
            float[] cx = new float[n], cy = new float[n];
            for (int i = 0; i < n; i++)
            {
                cx[i] = (float)(rng.NextDouble() * 2.2 - 1.1);
                cy[i] = (float)(rng.NextDouble() * 2.2 - 1.1);
            }
            // A far point too: distances near the float32 limit, some overflowing to infinity.
            foreach (var (px, py) in new[] { (0.3f, -0.7f), (cx.FirstOrDefault(), cy.FirstOrDefault()), (3e19f, -2e19f) })
            {
                float[] expected = new float[n], actual = new float[n];
                float minScalar = PlanarDistances.Squared(px, py, cx, cy, expected, IsaTier.Scalar);
                float minTier = PlanarDistances.Squared(px, py, cx, cy, actual, tier);
                Assert.Equal(expected, actual);
                Assert.Equal(minScalar, minTier);
                Assert.Equal(n == 0 ? float.PositiveInfinity : expected.Min(), minScalar);
            }
        }
    }

    [Fact]
    public void VonMisesRowHasTheScalarBitsAtVector512()
    {
        if (!Isa.IsSupported(IsaTier.Vector512)) return;
        var rng = new Random(5);
        // Tails of 0, 4, 8 and 12 or more cells: the twin computes them with vector exp as well (a tail of 1-3 cells goes
        // through the scalar exp in the fused path, as it always did).
        foreach (int n in new[] { 16, 20, 24, 28, 31, 32, 48, 100, 512, 524 })
        {
            float[] cos = new float[n], sin = new float[n];
            for (int i = 0; i < n; i++)
            {
                double mu = -Math.PI + 2 * Math.PI * i / n;
                cos[i] = (float)Math.Cos(0.5 * mu);
                sin[i] = (float)Math.Sin(0.5 * mu);
            }
            foreach (double kappa in new[] { 0.5, 3.7, 400.0 })
            {
                double theta = rng.NextDouble() * 2 * Math.PI - Math.PI;
                float s = (float)Math.Sin(0.5 * theta), minusC = -(float)Math.Cos(0.5 * theta), m = (float)(-2 * kappa);
                float[] expected = new float[n], actual = new float[n];
                VonMisesRow.Encode(cos, sin, s, minusC, m, expected, IsaTier.Scalar);
                VonMisesRow.Encode(cos, sin, s, minusC, m, actual, IsaTier.Vector512);
                Assert.Equal(expected, actual);
                Assert.All(actual, v => Assert.InRange(v, 0f, 1f));
            }
        }
    }
}
