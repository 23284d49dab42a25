using NoisyRnn.Analysis;
using NoisyRnn.Models;
using NoisyRnn.Noise;

namespace NoisyRnn.Tests.Analysis;

/// <summary>
/// Hidden-state reactivation on synthetic states: active states on a noisy ring in the first two of eight dimensions.
/// Quiescent states drawn from the same ring must look like the active ones (small KL in the top PCs, nearest-state
/// distance ratio near 1); states pushed off the ring into the other dimensions, or collapsed to its centre, must not.
/// </summary>
public class HiddenStateReactivationTests
{
    private const int Hidden = 8, Batch = 40, Steps = 50;

    // Two samples of the same ring: the KDE estimates differ only by sampling noise (a few hundredths of a nat).
    private const double SameDistributionKl = 0.1;

    // A sample from the same distribution is about as close to the reference set as the held-out active states.
    private const double OnManifoldRatio = 1.5;

    private static float[] Ring(int count, double offManifold, double radius, int seed)
    {
        double[] z = AnalysisTestData.Normal(count * (Hidden + 1), seed);
        var states = new float[count * Hidden];
        for (int i = 0; i < count; i++)
        {
            double angle = Math.PI * z[i * (Hidden + 1)];
            states[i * Hidden] = (float)(radius * Math.Cos(angle) + 0.05 * z[i * (Hidden + 1) + 1]);
            states[i * Hidden + 1] = (float)(radius * Math.Sin(angle) + 0.05 * z[i * (Hidden + 1) + 2]);
            for (int k = 2; k < Hidden; k++) states[i * Hidden + k] = (float)(offManifold * z[i * (Hidden + 1) + k + 1]);
        }
        return states;
    }

    [Fact]
    public void StatesFromTheWakingRingMatchAndStatesOffItDoNot()
    {
        float[] active = Ring(Batch * Steps, 0.01, 1, 1);
        var pca = Pca.Fit(active, Batch * Steps, Hidden);
        const int count = 1500;

        var same = HiddenStateReactivation.Compare(active, Batch, Steps, Ring(count, 0.01, 1, 2), count, pca, 2, 1000, 5);
        Assert.NotNull(same.Kl);
        Assert.True(same.Kl!.Value.Value < SameDistributionKl, $"KL {same.Kl.Value.Value:F3}");
        Assert.True(same.NearestDistanceRatio < OnManifoldRatio, $"ratio {same.NearestDistanceRatio:F2}");
        Assert.Equal(2, same.Components);
        Assert.True(same.ExplainedVarianceRatio > 0.9, $"explained {same.ExplainedVarianceRatio:F3}");

        // Off the manifold in the six unused dimensions: the top-2 projection is unchanged, the distance is not.
        var off = HiddenStateReactivation.Compare(active, Batch, Steps, Ring(count, 0.5, 1, 3), count, pca, 2, 1000, 5);
        Assert.True(off.NearestDistanceRatio > 5 * same.NearestDistanceRatio, $"ratio {off.NearestDistanceRatio:F2}");

        // Collapsed toward the ring's centre: both measures see it.
        var inside = HiddenStateReactivation.Compare(active, Batch, Steps, Ring(count, 0.01, 0.3, 4), count, pca, 2, 1000, 5);
        Assert.True(inside.Kl!.Value.Value > 10 * SameDistributionKl, $"KL {inside.Kl.Value.Value:F3}");
        Assert.True(inside.NearestDistanceRatio > 5 * same.NearestDistanceRatio, $"ratio {inside.NearestDistanceRatio:F2}");
        // Radius 0.3 instead of 1: the mean square along each ring axis shrinks about tenfold.
        for (int c = 0; c < 2; c++)
        {
            Assert.True(inside.QuiescentMeanSquare[c] < 0.2 * inside.ActiveMeanSquare[c], $"component {c}");
            Assert.Equal(same.ActiveMeanSquare[c], same.QuiescentMeanSquare[c], 0.1);
        }
    }

    [Fact]
    public void FrozenQuiescentStatesHaveNoKlButADistance()
    {
        float[] active = Ring(Batch * Steps, 0.01, 1, 1);
        var pca = Pca.Fit(active, Batch * Steps, Hidden);
        var frozen = new float[10 * Hidden];
        for (int i = 0; i < 10; i++) frozen[i * Hidden] = 1f;
        var result = HiddenStateReactivation.Compare(active, Batch, Steps, frozen, 10, pca, 2, 200, 5);
        Assert.Null(result.Kl);
        Assert.Contains("no quiescent density", result.KlNote);
        Assert.True(double.IsFinite(result.QuiescentNearestDistance));
    }

    [Fact]
    public void RunQuiescentKeepsEveryStrideThStateOfTheSimulation()
    {
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(1, 6, 3, 3, Activation.Relu, 1f, 0.2f), 3);
        const int batch = 3, steps = 250, stride = 25;
        var h0 = new float[batch * 6];
        for (int i = 0; i < h0.Length; i++) h0[i] = 0.1f * (i % 5);
        var all = new float[batch * steps * 6];
        model.Simulate(h0, ReadOnlySpan<float>.Empty, batch, steps, 0.05f, new GaussianNoiseSource(9), all, Span<float>.Empty);

        // Chunked runs draw noise in the same order (one [batch, hidden] block per step), so the states are identical.
        float[] kept = HiddenStateReactivation.RunQuiescent(model, h0, batch, steps, stride, 0.05f, new GaussianNoiseSource(9));
        Assert.Equal(batch * (steps / stride) * 6, kept.Length);
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < steps / stride; j++)
                Assert.Equal(all.AsSpan((b * steps + (j + 1) * stride - 1) * 6, 6).ToArray(), kept.AsSpan((b * (steps / stride) + j) * 6, 6).ToArray());
    }

    [Fact]
    public void BadArgumentsAreNamed()
    {
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(1, 6, 3, 3, Activation.Relu, 1f, 0.2f), 3);
        var h0 = new float[6];
        Assert.Equal("steps", Assert.Throws<ArgumentOutOfRangeException>(() =>
            HiddenStateReactivation.RunQuiescent(model, h0, 1, 10, 3, 0.1f, new GaussianNoiseSource(1))).ParamName);
        float[] active = Ring(Batch * Steps, 0.01, 1, 1);
        var pca = Pca.Fit(active, Batch * Steps, Hidden);
        Assert.Equal("activeBatch", Assert.Throws<ArgumentOutOfRangeException>(() =>
            HiddenStateReactivation.Compare(active, 1, Batch * Steps, active, Batch * Steps, pca, 2, 10, 1)).ParamName);
        Assert.Equal("quiescentHidden", Assert.Throws<ArgumentException>(() =>
            HiddenStateReactivation.Compare(active, Batch, Steps, active.AsSpan(1).ToArray(), Batch * Steps, pca, 2, 10, 1)).ParamName);
    }

    [Fact]
    public void LargeFiniteStatesGiveFiniteNearestDistances()
    {
        // States of about 1e25 are finite in float, but their squared distances (1e46 and more) overflow float: the distances must be
        // computed without overflowing (summary.json would otherwise hold Infinity and a ratio of Infinity / Infinity).
        float[] active = Ring(Batch * Steps, 0.01, 1, 1).Select(v => v * 1e25f).ToArray();
        var pca = Pca.Fit(active, Batch * Steps, Hidden);
        float[] quiescent = Ring(300, 0.01, 1, 2).Select(v => v * 1e25f).ToArray();
        var r = HiddenStateReactivation.Compare(active, Batch, Steps, quiescent, 300, pca, 2, 100, 5);
        Assert.True(double.IsFinite(r.ActiveNearestDistance) && r.ActiveNearestDistance > 0, $"active {r.ActiveNearestDistance}");
        Assert.True(double.IsFinite(r.QuiescentNearestDistance) && r.QuiescentNearestDistance > 0, $"quiescent {r.QuiescentNearestDistance}");
        Assert.InRange(r.NearestDistanceRatio, 0.2, 5);
    }
}
