using NoisyRnn;
using NoisyRnn.Analysis;
using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Tasks;
using NoisyRnn.Training;
using Xunit.Abstractions;

namespace PackageConsumer;

/// <summary>
/// The theory's central prediction as a unit test (the example of docs/testing-theory.md): under the same
/// quiescent noise, a network trained with noise stays closer to its waking distribution than one trained
/// without noise. Fixed seeds make it deterministic.
/// </summary>
public sealed class TheoryPredictionTests(ITestOutputHelper output)
{
    private const float Sigma = 0.1f;  // per-step recurrent noise std during training

    [Fact]
    public void NoiseTrainedNetworkReactivatesItsWakingDistributionBetterThanNoiseFree()
    {
        var taskOptions = new SpatialNavigationOptions { SequenceLength = 20 };
        var cells = PlaceCells.CreateRandom(count: 64, sigma: 0.2, taskOptions.BoxWidth, taskOptions.BoxHeight, seed: 0);

        (VanillaRnn model, PathIntegrationTrainer trainer) Train(float noiseStd)
        {
            var task = new SpatialNavigationTask(taskOptions, cells);
            var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(InputSize: 2, HiddenSize: 32,
                OutputSize: 64, InitSize: 64, Activation.Relu, TimeConstant: 1f, Dt: 0.2f), seed: 0);
            var trainer = new PathIntegrationTrainer(model, task, new TrainingOptions
            {
                Steps = 150, BatchSize = 32, TestBatchSize = 64, Seed = 0,
                Noise = NoiseLevels.Recurrent(noiseStd), Adam = new AdamOptions { LearningRate = 1e-2 },
            });
            trainer.Train();
            return (model, trainer);
        }

        var (noisy, noisyTrainer) = Train(Sigma);
        var (clean, cleanTrainer) = Train(0f);

        // Both are compared with the waking distribution of the noise-trained network, under equal quiescent noise.
        var task = noisyTrainer.Task;
        float[] active = PathIntegrationReactivation.DecodeActive(noisy, task, noisyTrainer.TestBatch, NoiseLevels.Recurrent(Sigma), seed: 1);
        GaussianKde activeDensity = PathIntegrationReactivation.Density(task, active);
        float sigmaQ = QuiescentNoise.Scaled.Resolve(Sigma);
        var options = new ReactivationOptions { KlSteps = 200, VarianceSteps = 300, VarianceShift = 100, KlSamples = 500, Seed = 2 };

        QuiescentReport noisyQuiet = PathIntegrationReactivation.Analyze(noisy, task, noisyTrainer.TestBatch.InitialState, 64, activeDensity, sigmaQ, options);
        QuiescentReport cleanQuiet = PathIntegrationReactivation.Analyze(clean, task, cleanTrainer.TestBatch.InitialState, 64, activeDensity, sigmaQ, options);

        // The noise-trained network's quiescence stays bounded. The noise-free network's may run away (its state grows
        // without bound under the same noise): then it has no KL, which is further from the waking distribution than any.
        Assert.False(noisyQuiet.Runaway?.RanAway ?? false, noisyQuiet.Runaway?.Describe());
        KlEstimate klNoisy = noisyQuiet.Kl ?? throw new InvalidOperationException(noisyQuiet.KlNote);
        if (cleanQuiet.Runaway is { RanAway: true } runaway)
        {
            output.WriteLine($"KL noise-trained {klNoisy.Value:F3} ± {klNoisy.StandardError:F3}; noise-free {runaway.Describe()}");
            return;
        }
        KlEstimate klClean = cleanQuiet.Kl ?? throw new InvalidOperationException(cleanQuiet.KlNote);
        output.WriteLine($"KL noise-trained {klNoisy.Value:F3} ± {klNoisy.StandardError:F3}, noise-free {klClean.Value:F3} ± {klClean.StandardError:F3}");
        output.WriteLine($"variance noise-trained {noisyQuiet.QuiescentOutputVariance:F4}, noise-free {cleanQuiet.QuiescentOutputVariance:F4} m^2");

        // Lower by more than three combined Monte Carlo standard errors.
        double margin = 3 * Math.Sqrt(klNoisy.StandardError * klNoisy.StandardError + klClean.StandardError * klClean.StandardError);
        Assert.True(klNoisy.Value + margin < klClean.Value, $"KL noise-trained {klNoisy.Value}, noise-free {klClean.Value}");
    }
}
