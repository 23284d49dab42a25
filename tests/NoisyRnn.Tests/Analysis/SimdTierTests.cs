using NoisyRnn.Analysis;
using NoisyRnn.Kernels;

namespace NoisyRnn.Tests.Analysis;

/// <summary>Every vector tier of the analysis kernels against the scalar twin, on the same machine and data.</summary>
public class SimdTierTests
{
    // The tiers sum the same terms in different orders and use different exp implementations (~1 ulp each).
    private const double TierAgreement = 1e-12;

    public static TheoryData<int> Tiers => new() { (int)IsaTier.Vector256, (int)IsaTier.Vector512 };

    [Theory]
    [MemberData(nameof(Tiers))]
    public void KdeTierMatchesScalarTwin(int tierValue)
    {
        var tier = (IsaTier)tierValue;
        // 3001 points: several leaves, none a multiple of the vector width; queries near, in the tails, and far away.
        double[] data = AnalysisTestData.Normal(2 * 3001, 40);
        double[] queries = AnalysisTestData.Normal(2 * 50, 41, std: 3);
        queries[0] = 400;
        queries[1] = -300;
        var scalar = new GaussianKde(data, 2, IsaTier.Scalar);
        var vector = new GaussianKde(data, 2, tier);
        Assert.Equal(IsaTier.Scalar, scalar.Tier);
        // The tier really is the one under test whenever the hardware has it.
        Assert.Equal(tier <= Isa.Tier ? tier : Isa.Tier, vector.Tier);
        double[] expected = scalar.LogEvaluate(queries);
        double[] actual = vector.LogEvaluate(queries);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= TierAgreement * Math.Max(1, Math.Abs(expected[i])), $"query {i}: {tier} {actual[i]} vs scalar {expected[i]}");
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void PcaTierMatchesScalarTwin(int tierValue)
    {
        var tier = (IsaTier)tierValue;
        const int N = 333, D = 10; // neither a multiple of the 128-row block nor of the 4-wide tile
        double[] z = AnalysisTestData.Normal(N * D, 42);
        var data = new float[N * D];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(z[i] * (1 + i % D) + (i % D));
        PcaResult expected = Pca.Fit(data, N, D, IsaTier.Scalar);
        PcaResult actual = Pca.Fit(data, N, D, tier);
        for (int c = 0; c < D; c++)
            Assert.True(Math.Abs(actual.ExplainedVariance[c] - expected.ExplainedVariance[c]) <= TierAgreement * expected.ExplainedVariance[0], $"variance {c}: {tier} {actual.ExplainedVariance[c]} vs scalar {expected.ExplainedVariance[c]}");
    }
}
