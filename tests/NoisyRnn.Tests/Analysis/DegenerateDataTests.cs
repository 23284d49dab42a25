using NoisyRnn.Analysis;
using NoisyRnn.Models;
using NoisyRnn.Tasks;

namespace NoisyRnn.Tests.Analysis;

/// <summary>
/// The degenerate-data contract of the analysis (issue 5): all points equal, points on a line (a lower-dimensional
/// subspace) and fewer points than dimensions either raise <see cref="DegenerateDataException"/> with an explanation or
/// follow a documented behaviour. Gathered here per entry point; the KDE's own unweighted and weighted cases are in
/// GaussianKdeTests and WeightedKdeTests.
/// </summary>
public class DegenerateDataTests
{
    private static VanillaRnn LinearNetwork(int hidden)
    {
        var model = new VanillaRnn(new VanillaRnnOptions(1, hidden, 1, 1, Activation.Identity, 1f, 0.2f));
        Span<float> w = model.Parameters[VanillaRnn.RecurrentWeight];
        for (int i = 0; i < hidden; i++) w[i * hidden + i] = 0.9f; // drift −0.02 h: non-zero everywhere off the origin
        return model;
    }

    [Fact]
    public void DenoisingAlignmentOfStatesOnALineThrowsInsteadOfFittingANumericalNoiseDimension()
    {
        // 4 hidden units, states t·v on a line: one principal direction carries all the variance; the second component
        // holds only rounding noise (~1e-8 of the first), so a 2-D KDE on it would be meaningless.
        const int hidden = 4, count = 400;
        float[] v = [0.5f, -1f, 0.25f, 2f];
        double[] t = AnalysisTestData.Normal(count, 3);
        var states = new float[count * hidden];
        for (int i = 0; i < count; i++)
            for (int k = 0; k < hidden; k++) states[i * hidden + k] = (float)(t[i] * v[k]);
        var ex = Assert.Throws<DegenerateDataException>(() => DenoisingAlignment.Measure(LinearNetwork(hidden), states, count, 2, 50, 1));
        Assert.Equal("activeHidden", ex.ParamName);
        // One component is fine: the states do vary along the line.
        var one = DenoisingAlignment.Measure(LinearNetwork(hidden), states, count, 1, 50, 1);
        Assert.True(double.IsFinite(one.MeanCosine));
    }

    [Fact]
    public void DenoisingAlignmentOfIdenticalStatesThrows()
    {
        const int hidden = 3, count = 50;
        var states = new float[count * hidden];
        for (int i = 0; i < states.Length; i++) states[i] = 0.25f;
        Assert.Throws<DegenerateDataException>(() => DenoisingAlignment.Measure(LinearNetwork(hidden), states, count, 2, 10, 1));
    }

    [Fact]
    public void PcaWithFewerPointsThanDimensionsFitsTheSpannedSubspaceAndGivesTheRestZeroVariance()
    {
        // 3 points in 6 dimensions span at most 2 directions around their mean (the documented behaviour, as
        // scikit-learn's PCA with all components): the ratios of components 3..6 are 0 up to rounding.
        float[] data =
        [
            1, 0, 2, 0, 0, 1,
            0, 1, 0, 3, 1, 0,
            2, 2, 1, 1, 0, 0,
        ];
        PcaResult pca = Pca.Fit(data, 3, 6);
        double[] ratio = pca.ExplainedVarianceRatio;
        Assert.Equal(1, ratio.Sum(), 12);
        Assert.True(ratio[1] > 1e-3);
        for (int k = 2; k < 6; k++) Assert.True(Math.Abs(ratio[k]) < 1e-12, $"component {k + 1}: ratio {ratio[k]}");
    }

    [Fact]
    public void KdeOfAllEqualPointsOrTooFewPointsExplainsWhy()
    {
        var equal = Assert.Throws<DegenerateDataException>(() => new GaussianKde(Enumerable.Repeat(2.5, 40).ToArray(), 2));
        Assert.Contains("zero variance", equal.Message);
        var few = Assert.Throws<DegenerateDataException>(() => new GaussianKde([0.0, 1.0, 2.0, 3.0, 5.0, 8.0], 3));
        Assert.Contains("at least d + 1 = 4 points", few.Message);
        // The density helpers of the reactivation analysis raise the same exception for decoded positions.
        var positions = new float[2 * 30];
        for (int i = 0; i < 30; i++)
        {
            positions[2 * i] = 0.1f * i;
            positions[2 * i + 1] = 0.2f * i - 0.3f; // on a line
        }
        var task = new SpatialNavigationTask(new SpatialNavigationOptions(), PlaceCells.CreateRandom(4, 0.3, 2.2, 2.2, 1));
        Assert.Throws<DegenerateDataException>(() => PathIntegrationReactivation.Density(task, positions));
    }
}
