using NoisyRnn;
using NoisyRnn.Analysis;
using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Tasks;
using NoisyRnn.Training;

namespace PackageConsumer;

/// <summary>
/// Uses NoisyRnn exactly as an outside project would: from the NuGet package, through its public API only.
/// A tiny network is trained on the spatial task with recurrent noise, then run in quiescence.
/// </summary>
public sealed class ReactivationFromPackageTests
{
    private const float TrainingNoise = 0.05f;

    [Fact]
    public void TrainedNetworkLearnsTheTaskAndWandersInQuiescenceOnlyWithNoise()
    {
        var taskOptions = new SpatialNavigationOptions { SequenceLength = 20 };
        var cells = PlaceCells.CreateRandom(count: 64, sigma: 0.2, taskOptions.BoxWidth, taskOptions.BoxHeight, seed: 0);
        var task = new SpatialNavigationTask(taskOptions, cells);
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(InputSize: 2, HiddenSize: 32,
            OutputSize: 64, InitSize: 64, Activation.Relu, TimeConstant: 1f, Dt: 0.2f), seed: 0);
        var trainer = new PathIntegrationTrainer(model, task, new TrainingOptions
        {
            Steps = 150, BatchSize = 32, TestBatchSize = 64, EvaluateEvery = 50, Seed = 0,
            Noise = NoiseLevels.Recurrent(TrainingNoise), Adam = new AdamOptions { LearningRate = 1e-2 },
        });

        TaskEvaluation before = trainer.Evaluate();
        PathIntegrationResult result = trainer.Train();
        TaskEvaluation after = result.Evaluations[^1];

        // Training lowers the held-out loss and the decoded position error.
        Assert.True(after.Loss < 0.9 * before.Loss, $"held-out loss {before.Loss} -> {after.Loss}");
        Assert.True(after.DecodingError < before.DecodingError,
            $"position error {before.DecodingError} -> {after.DecodingError} m");

        float[] active = PathIntegrationReactivation.DecodeActive(model, task, trainer.TestBatch, NoiseLevels.Recurrent(TrainingNoise), seed: 1);
        GaussianKde activeDensity = PathIntegrationReactivation.Density(task, active);
        var analysis = new ReactivationOptions
        {
            KlSteps = 200, VarianceSteps = 300, VarianceShift = 100, StepDistanceSteps = 50, KlSamples = 500, Seed = 2,
        };

        float sigmaQ = QuiescentNoise.Scaled.Resolve(TrainingNoise);
        QuiescentReport noisy = PathIntegrationReactivation.Analyze(model, task, trainer.TestBatch.InitialState, batch: 64,
            activeDensity, sigmaQ, analysis);
        QuiescentReport silent = PathIntegrationReactivation.Analyze(model, task, trainer.TestBatch.InitialState, batch: 64,
            activeDensity, 0f, analysis);

        // With noise the quiescent chains explore: a finite KL to the waking density and a variance well above
        // that of the same network run without noise.
        Assert.NotNull(noisy.Kl);
        Assert.True(double.IsFinite(noisy.Kl!.Value.Value), $"KL {noisy.Kl.Value.Value}");
        Assert.True(noisy.QuiescentOutputVariance > 2 * silent.QuiescentOutputVariance + 1e-6,
            $"quiescent variance with noise {noisy.QuiescentOutputVariance}, without {silent.QuiescentOutputVariance}");
    }
}
