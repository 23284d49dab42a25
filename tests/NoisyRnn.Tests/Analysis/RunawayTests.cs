using NoisyRnn.Analysis;
using NoisyRnn.Models;
using NoisyRnn.Tasks;

namespace NoisyRnn.Tests.Analysis;

public class RunawayTests
{
    [Fact]
    public void ReportsTheFirstCrossingAndTheGrowthRate()
    {
        const int Batch = 3, Steps = 200;
        var norms = new double[Batch * Steps];
        for (int t = 0; t < Steps; t++)
        {
            norms[t] = 1 + 0.1 * Math.Sin(t);               // healthy
            norms[Steps + t] = t < 50 ? 1 : Math.Exp(0.1 * (t - 50)); // grows from step 50 at 0.1 per step
            norms[2 * Steps + t] = t < 150 ? 1 : double.PositiveInfinity; // overflows at 150
        }
        RunawayReport report = Runaway.Detect(norms, Batch, Steps, referenceNorm: 1.0);
        Assert.True(report.RanAway);
        Assert.Equal(1, report.Chain);
        // e^{0.1 (t − 50)} > 100 from t = 50 + ceil(10 ln 100) = 97.
        Assert.Equal(97, report.Step);
        Assert.Equal(0.1, report.GrowthRate!.Value, 1e-9);
        Assert.True(report.GrowthRateStandardError < 1e-9);
        Assert.Equal(double.PositiveInfinity, report.MaxNorm);
        Assert.Contains("ran away at step 97", report.Describe());

        RunawayReport healthy = Runaway.Detect(norms.AsSpan(0, Steps), 1, Steps, 1.0);
        Assert.False(healthy.RanAway);
        Assert.Null(healthy.Step);
        Assert.Contains("no runaway", healthy.Describe());
        Assert.Equal("factor", Assert.Throws<ArgumentOutOfRangeException>(() => Runaway.Detect(norms, Batch, Steps, 1.0, 1.0)).ParamName);
    }

    [Fact]
    public void AnalyzeReportsAnUnstableNetworkInsteadOfAKl()
    {
        // A linear cell with W = 3 I grows by 1 − α + 3α = 1.4 per step (ln 1.4 ≈ 0.336) from any non-zero start.
        var cells = new HeadDirectionCells(16, Math.PI / 6);
        var task = new HeadDirectionTask(new HeadDirectionOptions { SequenceLength = 20 }, cells);
        var model = new VanillaRnn(new VanillaRnnOptions(1, 8, 16, 16, Activation.Identity, 1f, 0.2f));
        Span<float> w = model.Parameters[VanillaRnn.RecurrentWeight];
        for (int i = 0; i < 8; i++) w[i * 8 + i] = 3;
        Span<float> enc = model.Parameters[VanillaRnn.EncoderWeight];
        for (int i = 0; i < enc.Length; i++) enc[i] = 0.01f * (i % 7 - 3);
        Span<float> readout = model.Parameters[VanillaRnn.OutputWeight];
        for (int i = 0; i < readout.Length; i++) readout[i] = 1e-30f * (i % 5 - 2);
        const int Batch = 4;
        var init = new float[Batch * 16];
        cells.Encode([0f, 0.5f, 1f, 1.5f], init);
        var active = new CircularKde([0.0, 1.0, 2.0, -1.5]);
        var options = new ReactivationOptions { KlSteps = 60, VarianceSteps = 60, VarianceShift = 10, StepDistanceSteps = 10, KlSamples = 100 };
        QuiescentReport report = PathIntegrationReactivation.Analyze(model, task, init, Batch, active, 0f, options);
        Assert.NotNull(report.Runaway);
        Assert.True(report.Runaway!.RanAway);
        Assert.Equal(Math.Log(1.4), report.Runaway.GrowthRate!.Value, 1e-4);
        Assert.InRange(report.Runaway.Step!.Value, 12, 15); // 1.4^t > 100 from t = 14 (start norms equal the reference)
        Assert.Null(report.Kl);
        Assert.Contains("ran away", report.KlNote);
        Assert.Equal("von_mises_kde", report.DensityEstimator);
    }
}

public class HeadingDensityOptionTests
{
    [Fact]
    public void PaperModeFitsTheVonMisesKdeForHeadingsAndTheReferenceTheLinearOne()
    {
        var task = new HeadDirectionTask(new HeadDirectionOptions { SequenceLength = 20 }, new HeadDirectionCells(16, Math.PI / 6));
        float[] headings = [3.1f, -3.1f, 3.0f, -3.0f, 0.5f, 2.9f];
        IKernelDensity paper = PathIntegrationReactivation.Density(task, headings, new ReactivationOptions());
        Assert.IsType<CircularKde>(paper);
        Assert.Equal("von_mises_kde", paper.Estimator);
        Assert.Equal(HeadingDensity.VonMises, PathIntegrationReactivation.EstimatorOf(paper));
        IKernelDensity reference = PathIntegrationReactivation.Density(task, headings, HeadingDensity.LinearGaussian);
        Assert.IsType<GaussianKde>(reference);
        Assert.Equal("gaussian_kde", reference.Estimator);
        Assert.Equal(HeadingDensity.LinearGaussian, PathIntegrationReactivation.EstimatorOf(reference));
        // Positions are never circular: the Gaussian KDE whatever the heading option.
        var spatial = new SpatialNavigationTask(new SpatialNavigationOptions(), new PlaceCells([0f, 0f, 1f, 1f, -1f, 0.5f], 0.2));
        Assert.IsType<GaussianKde>(PathIntegrationReactivation.Density(spatial, new float[] { 0, 0, 1, 0.5f, -0.3f, 0.2f, 0.4f, -0.7f }, HeadingDensity.VonMises));
        Assert.Equal("HeadingDensity", Assert.Throws<ArgumentOutOfRangeException>(() => new ReactivationOptions { HeadingDensity = (HeadingDensity)7 }.Validate()).ParamName);
        Assert.Equal("RunawayNormFactor", Assert.Throws<ArgumentOutOfRangeException>(() => new ReactivationOptions { RunawayNormFactor = 1 }.Validate()).ParamName);
    }
}
