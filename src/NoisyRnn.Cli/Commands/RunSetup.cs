using NoisyRnn.Analysis;
using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Tasks;
using NoisyRnn.Training;

namespace NoisyRnn.Cli.Commands;

/// <summary>The decoded active run of a network on the held-out batch and what the reactivation metrics need from it.</summary>
internal sealed record ActiveRun(float[] Decoded, GaussianKde Density, double StepDistance);

/// <summary>
/// Pieces shared by `reproduce` and `reactivate`, so that a saved network evaluated later sees exactly the task, held-out
/// batch, active density and quiescence settings it saw in the run that trained it (same preset and seed).
/// </summary>
internal static class RunSetup
{
    /// <summary>The task of a preset: place cells (spatial) drawn from <paramref name="seed"/>, or head-direction cells.</summary>
    public static (IPathIntegrationTask Task, SpatialNavigationOptions SpatialOptions) CreateTask(ReproducePreset p, ulong seed)
    {
        var taskOptions = new SpatialNavigationOptions { SequenceLength = p.SequenceLength, Biased = p.Biased };
        IPathIntegrationTask task = p.IsSpatial
            ? new SpatialNavigationTask(taskOptions, CreatePlaceCells(p, taskOptions, seed))
            : new HeadDirectionTask(new HeadDirectionOptions { SequenceLength = p.SequenceLength, Biased = p.Biased }, new HeadDirectionCells(p.HdCells, p.HdSpread));
        return (task, taskOptions);
    }

    /// <summary>The preset's place cells: random centres from <paramref name="seed"/>, Gaussian or difference-of-Gaussians tuning.</summary>
    public static PlaceCells CreatePlaceCells(ReproducePreset p, SpatialNavigationOptions taskOptions, ulong seed)
    {
        var cells = PlaceCells.CreateRandom(p.PlaceCells, p.PlaceCellSigma, taskOptions.BoxWidth, taskOptions.BoxHeight, seed);
        return p.PlaceCellTuning == "dog" ? cells.WithTuning(PlaceCellTuning.DifferenceOfGaussians, p.SurroundScale) : cells;
    }

    /// <summary>Training options of a network trained with recurrent std <paramref name="noiseStd"/>; they also fix its held-out batch.</summary>
    public static TrainingOptions Training(ReproducePreset p, float noiseStd, ulong seed) => new()
    {
        Steps = p.Steps, BatchSize = p.BatchSize, Adam = new AdamOptions { LearningRate = p.LearningRate, WeightDecay = p.WeightDecay },
        Noise = NoiseLevels.Recurrent(noiseStd), NoiseDistribution = p.NoiseDistribution, Seed = seed, EvaluateEvery = p.EvaluateEvery, TestBatchSize = p.BatchSize,
        CheckpointEvery = 100,
    };

    /// <summary>Lengths, sample count and seed of the quiescent runs.</summary>
    public static ReactivationOptions Reactivation(ReproducePreset p, ulong seed) => new()
    {
        KlSteps = p.KlSteps, VarianceSteps = p.VarianceSteps, VarianceShift = p.VarianceShift,
        StepDistanceSteps = p.StepDistanceSteps, KlSamples = p.KlSamples, Seed = seed,
        NoiseDistribution = p.NoiseDistribution,
    };

    /// <summary>Decodes the network's outputs on the held-out batch with its training noise, then their KDE and mean step.</summary>
    public static ActiveRun MeasureActive(IRecurrentNetwork model, IPathIntegrationTask task, IPathIntegrationBatch testBatch, TrainingOptions training, ReproducePreset p, ulong seed)
    {
        float[] active = PathIntegrationReactivation.DecodeActive(model, task, testBatch, training.Noise, ActiveNoiseSeed(seed), p.NoiseDistribution);
        var density = PathIntegrationReactivation.Density(task, active);
        double step = PathIntegrationReactivation.MeanStepDistance(task, active, p.BatchSize, p.SequenceLength);
        return new ActiveRun(active, density, step);
    }

    /// <summary>Seed of the training noise in the active run (shared with the active hidden states of `reproduce`).</summary>
    public static ulong ActiveNoiseSeed(ulong seed) => Salt(seed, 7);

    /// <summary>Mixes a base seed with a per-use salt.</summary>
    public static ulong Salt(ulong seed, ulong salt) => unchecked(seed * 0x9E3779B97F4A7C15UL + salt * 0xBF58476D1CE4E5B9UL + 1);
}
