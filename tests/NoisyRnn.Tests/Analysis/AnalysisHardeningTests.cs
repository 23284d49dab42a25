using NoisyRnn.Analysis;
using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Tasks;

namespace NoisyRnn.Tests.Analysis;

public class AnalysisHardeningTests
{
    private static GaussianKde Density2D()
    {
        double[] data = [0, 0, 1, 0, 0, 1, 1, 1, 0.5, 0.2, 0.3, 0.7];
        return new GaussianKde(data, 2);
    }

    private static readonly ReactivationOptions Short = new() { KlSteps = 10, VarianceSteps = 10, VarianceShift = 2, StepDistanceSteps = 5, KlSamples = 20 };

    private static SpatialNavigationTask Task(int cells) =>
        new(new SpatialNavigationOptions { SequenceLength = 3 }, PlaceCells.CreateRandom(cells, 0.3, 2.2, 2.2, 1));

    [Fact]
    public void AnalyzeRejectsATaskWhoseCellsDoNotMatchTheReadout()
    {
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 4, 8, 8), 1);
        var e = Assert.Throws<ArgumentException>(() =>
            PathIntegrationReactivation.Analyze(model, Task(4), new float[2 * 8], 2, Density2D(), 0.01f, Short));
        Assert.Equal("task", e.ParamName);
    }

    [Fact]
    public void AnalyzeRejectsADensityThatIsNotTwoDimensional()
    {
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 4, 8, 8), 1);
        var density1D = new GaussianKde([0.0, 1.0, 2.0, 0.5], 1);
        var e = Assert.Throws<ArgumentException>(() =>
            PathIntegrationReactivation.Analyze(model, Task(8), new float[2 * 8], 2, density1D, 0.01f, Short));
        Assert.Equal("activeDensity", e.ParamName);
    }

    [Fact]
    public void DecodeActiveRejectsATaskWhoseCellsDoNotMatchTheReadout()
    {
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 4, 8, 8), 1);
        var batch = Task(8).NextBatch(2, new SeededTaskRandom(1));
        var e = Assert.Throws<ArgumentException>(() =>
            PathIntegrationReactivation.DecodeActive(model, Task(4), batch, NoiseLevels.None, 1));
        Assert.Equal("task", e.ParamName);
    }

    [Fact]
    public void ReactivationOptionsRejectUndefinedNoiseDistribution()
    {
        var o = Short with { NoiseDistribution = (NoiseDistribution)3 };
        Assert.Equal("NoiseDistribution", Assert.Throws<ArgumentOutOfRangeException>(o.Validate).ParamName);
    }

    [Fact]
    public void ReadoutOverflowDuringQuiescenceIsReportedAsDivergenceWithItsStep()
    {
        // Finite hidden state (1e10 per unit, decaying) but a readout weight of 1e30: W_out h overflows at step 0.
        var model = new VanillaRnn(new VanillaRnnOptions(2, 2, 4, 4));
        model.Parameters[VanillaRnn.EncoderWeight].Fill(1e10f);
        model.Parameters[VanillaRnn.OutputWeight].Fill(1e30f);
        float[] code = [1f, 0f, 0f, 0f];
        var e = Assert.Throws<SimulationDivergedException>(() =>
            PathIntegrationReactivation.Analyze(model, Task(4), code, 1, Density2D(), 0f, Short));
        Assert.Equal(0, e.Step);
    }

    [Fact]
    public void ReadoutOverflowInALaterChunkCountsStepsFromTheStart()
    {
        // h grows by a factor 1.2 per step from 1 (w_rec = 2 I, alpha = 0.2: h <- 0.8 h + 0.2 relu(2 h)), so h after
        // step t is 1.2^(t+1), always finite here; y = 3e29 (h_0 + h_1) overflows float32 once 6e29 * 1.2^(t+1) > 3.4e38:
        // t = 109 gives 3.1e38, t = 110 gives 3.7e38. Step 110 lies in the second chunk of Quiescence.ChunkSteps = 100.
        var model = new VanillaRnn(new VanillaRnnOptions(2, 2, 2, 2));
        var wRec = model.Parameters[VanillaRnn.RecurrentWeight];
        wRec[0] = 2f;
        wRec[3] = 2f;
        model.Parameters[VanillaRnn.OutputWeight].Fill(3e29f);
        float[] h0 = [1f, 1f];
        var e = Assert.Throws<SimulationDivergedException>(() =>
            Quiescence.Run(model, h0, 1, 150, 0f, new GaussianNoiseSource(1), (y, d) => y.CopyTo(d), 2));
        Assert.Equal(110, e.Step);
    }
}

public class AnalysisSizeHardeningTests
{
    [Fact]
    public void VarianceShiftNearIntMaxDoesNotOverflowTheCheck()
    {
        // VarianceShift + 2 used to wrap to a negative number, so VarianceSteps = int.MaxValue "passed".
        var o = new ReactivationOptions { VarianceShift = int.MaxValue - 1, VarianceSteps = int.MaxValue };
        Assert.Equal("VarianceSteps", Assert.Throws<ArgumentOutOfRangeException>(o.Validate).ParamName);
    }

    [Fact]
    public void QuiescentRunTooLongForOneArrayNamesSteps()
    {
        var model = new VanillaRnn(new VanillaRnnOptions(2, 4, 8, 8));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Quiescence.Run(model, new float[4], 1, int.MaxValue, 0f, new GaussianNoiseSource(1), (y, d) => { }, 1000));
        Assert.Equal("steps", e.ParamName);
    }
}
