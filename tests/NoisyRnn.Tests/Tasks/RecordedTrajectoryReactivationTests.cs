using System.Globalization;
using System.Text;
using NoisyRnn.Analysis;
using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Tasks;
using NoisyRnn.Training;

namespace NoisyRnn.Tests.Tasks;

/// <summary>
/// End to end with a user recording: a CSV sampled at 50 Hz with jitter-free timestamps drives a (briefly trained)
/// network as its active input, and the same network then runs in quiescence from the recording's start states.
/// </summary>
public class RecordedTrajectoryReactivationTests
{
    private static string Recording(int samples, double rateHz)
    {
        // A smooth loop inside the box: x = 0.6 cos(w t), y = 0.4 sin(2 w t).
        var csv = new StringBuilder("t,x,y\n");
        for (int i = 0; i < samples; i++)
        {
            double t = i / rateHz;
            csv.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{t},{0.6 * Math.Cos(0.8 * t)},{0.4 * Math.Sin(1.6 * t)}"));
        }
        return csv.ToString();
    }

    [Fact]
    public void RecordingDrivesATrainedNetworkAndItsQuiescenceIsMeasured()
    {
        var taskOptions = new SpatialNavigationOptions { SequenceLength = 10 };
        var task = new SpatialNavigationTask(taskOptions, PlaceCells.CreateRandom(24, 0.4, 2.2, 2.2, 5));
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 16, 24, 24), 5);
        new PathIntegrationTrainer(model, task, new TrainingOptions
        {
            Steps = 20, BatchSize = 16, TestBatchSize = 8, EvaluateEvery = 20, Noise = NoiseLevels.Recurrent(0.01f), Seed = 5,
            Adam = new AdamOptions { LearningRate = 1e-2 },
        }).Train();

        // 30 Hz recording of 6 s, resampled to the task's 0.02 s steps and cut into 10-step windows.
        var recording = RecordedTrajectories.Parse(Recording(181, 30.0));
        int windows = recording.CountWindows(taskOptions.SequenceLength);
        Assert.True(windows >= 20, $"expected at least 20 windows, got {windows}");
        SpatialNavigationBatch batch = recording.CreateBatch(task);
        Assert.Equal(windows, batch.BatchSize);

        float[] active = PathIntegrationReactivation.DecodeActive(model, task, batch, NoiseLevels.Recurrent(0.01f), 1);
        Assert.Equal(batch.BatchSize * batch.TimeSteps * 2, active.Length);
        Assert.All(active, v => Assert.True(float.IsFinite(v) && Math.Abs(v) <= 1.1f));
        GaussianKde density = PathIntegrationReactivation.Density(task, active);

        var report = PathIntegrationReactivation.Analyze(model, task, batch.InitialState, batch.BatchSize, density,
            QuiescentNoise.Scaled.Resolve(0.01f), new ReactivationOptions { KlSteps = 40, VarianceSteps = 60, VarianceShift = 20, StepDistanceSteps = 20, KlSamples = 300, Seed = 2 });
        Assert.Equal(batch.BatchSize * report.Steps * 2, report.QuiescentDecoded.Length);
        Assert.True(report.QuiescentOutputVariance >= 0);
        Assert.True(report.Kl is null ? report.KlNote is not null : double.IsFinite(report.Kl.Value.Value));
    }
}
