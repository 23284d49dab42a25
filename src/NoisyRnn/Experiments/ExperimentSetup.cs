using NoisyRnn.Analysis;
using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Tasks;
using NoisyRnn.Training;
using static NoisyRnn.SeedSequence;

namespace NoisyRnn.Experiments;

/// <summary>The decoded active run of a network on the held-out batch and what the reactivation metrics need from it.</summary>
internal sealed record ActiveRun(float[] Decoded, IKernelDensity Density, double StepDistance);

/// <summary>
/// The theory checks of one network on its held-out batch (THEORY.md): its active hidden states [batch·time, hidden]
/// with their PCA, the denoising alignment and the loss decomposition. PCA is null when the states do not vary; the
/// alignment and the decomposition need the vanilla cell's drift and are null for the GRU (the alignment also when the
/// states are degenerate).
/// </summary>
internal sealed record TheoryMeasures(float[] ActiveHidden, PcaResult? Pca, AlignmentResult? Alignment, LossDecompositionResult? Decomposition);

/// <summary>The replay dynamics of one quiescent run: its summary.json entry and the metrics of both sides (with the MSD curves).</summary>
internal sealed record ReplayMeasures(ReplaySummary Summary, ReplayMetrics Active, ReplayMetrics Quiescent);

/// <summary>
/// Pieces shared by `reproduce` and `reactivate`, so that a saved network evaluated later sees exactly the task, held-out
/// batch, active density and quiescence settings it saw in the run that trained it (same preset and seed).
/// </summary>
internal static class ExperimentSetup
{
    /// <summary>The task of a preset: place cells (spatial) drawn from <paramref name="seed"/>, or head-direction cells.</summary>
    public static (IPathIntegrationTask Task, SpatialNavigationOptions SpatialOptions) CreateTask(ExperimentConfig p, ulong seed)
    {
        var taskOptions = new SpatialNavigationOptions { SequenceLength = p.SequenceLength, Biased = p.Biased };
        IPathIntegrationTask task = p.IsSpatial
            ? new SpatialNavigationTask(taskOptions, CreatePlaceCells(p, taskOptions, seed))
            : new HeadDirectionTask(new HeadDirectionOptions { SequenceLength = p.SequenceLength, Biased = p.Biased }, new HeadDirectionCells(p.HdCells, p.HdSpread));
        return (task, taskOptions);
    }

    /// <summary>The preset's place cells: random centres from <paramref name="seed"/>, Gaussian or difference-of-Gaussians tuning.</summary>
    public static PlaceCells CreatePlaceCells(ExperimentConfig p, SpatialNavigationOptions taskOptions, ulong seed)
    {
        var cells = PlaceCells.CreateRandom(p.PlaceCells, p.PlaceCellSigma, taskOptions.BoxWidth, taskOptions.BoxHeight, seed);
        return p.PlaceCellTuning == "dog" ? cells.WithTuning(PlaceCellTuning.DifferenceOfGaussians, p.SurroundScale) : cells;
    }

    /// <summary>Training options of a network trained with recurrent std <paramref name="noiseStd"/>; they also fix its held-out batch.</summary>
    public static TrainingOptions Training(ExperimentConfig p, float noiseStd, ulong seed, int checkpointEvery = 100) => new()
    {
        Steps = p.Steps, BatchSize = p.BatchSize, Adam = new AdamOptions { LearningRate = p.LearningRate, WeightDecay = p.WeightDecay },
        Noise = NoiseLevels.Recurrent(noiseStd), NoiseDistribution = p.NoiseDistribution, Seed = seed, EvaluateEvery = p.EvaluateEvery, TestBatchSize = p.BatchSize,
        CheckpointEvery = checkpointEvery,
    };

    /// <summary>Lengths, sample count and seed of the quiescent runs.</summary>
    public static ReactivationOptions Reactivation(ExperimentConfig p, ulong seed) => new()
    {
        KlSteps = p.KlSteps, VarianceSteps = p.VarianceSteps, VarianceShift = p.VarianceShift,
        StepDistanceSteps = p.StepDistanceSteps, KlSamples = p.KlSamples, Seed = seed,
        NoiseDistribution = p.NoiseDistribution,
    };

    /// <summary>Decodes the network's outputs on the held-out batch with its training noise, then their KDE and mean step.</summary>
    public static ActiveRun MeasureActive(IRecurrentNetwork model, IPathIntegrationTask task, IPathIntegrationBatch testBatch, TrainingOptions training, ExperimentConfig p, ulong seed)
    {
        float[] active = PathIntegrationReactivation.DecodeActive(model, task, testBatch, training.Noise, ActiveNoiseSeed(seed), p.NoiseDistribution);
        var density = PathIntegrationReactivation.Density(task, active, Reactivation(p, seed));
        double step = PathIntegrationReactivation.MeanStepDistance(task, active, p.BatchSize, p.SequenceLength);
        return new ActiveRun(active, density, step);
    }

    // Principal components of the active hidden states used for the denoising alignment (THEORY.md prediction 3).
    internal const int AlignmentComponents = 3;

    // Active states at which the drift and the KDE score are compared.
    private const int AlignmentSamples = 1000;

    // Chains and steps of the quiescent hidden-state runs shown in hidden_pca.png.
    private const int QuiescentHiddenChains = 40;
    private const int QuiescentHiddenSteps = 500;

    /// <summary>
    /// The theory checks of a network trained with recurrent std <paramref name="noiseStd"/>, shared by `reproduce` (after
    /// training) and `reactivate` (on a loaded network), so both report the same numbers for the same network, preset
    /// and seed: the hidden states of the held-out batch with the training noise (the noise seed of the decoded active
    /// run), their PCA, and for the vanilla cell the loss decomposition and the denoising alignment in the top 3 PCs.
    /// </summary>
    public static TheoryMeasures MeasureTheory(IRecurrentNetwork model, IPathIntegrationBatch test, TrainingOptions training, ExperimentConfig p, ulong seed,
        float noiseStd, string name, Action<string> log)
    {
        var tape = model.CreateTape(test.BatchSize, test.TimeSteps);
        model.Forward(test.Inputs, test.InitialState, training.Noise, NoiseStreams.FromSeed(ActiveNoiseSeed(seed), p.NoiseDistribution), tape);
        float[] activeHidden = tape.Hidden.ToArray();
        int states = test.BatchSize * test.TimeSteps, hidden = model.NetworkOptions.HiddenSize;
        PcaResult? pca = null;
        AlignmentResult? alignment = null;
        LossDecompositionResult? decomposition = null;
        try
        {
            pca = Pca.Fit(activeHidden, states, hidden);
        }
        catch (ArgumentException e)
        {
            log($"  {name}: no PCA of the hidden states ({e.Message})");
        }
        // Theory checks (THEORY.md): the loss decomposition and the alignment of the autonomous drift with the score of
        // the active hidden states. Both use the vanilla cell's drift phi(r, x).
        if (model is VanillaRnn vanilla)
        {
            decomposition = LossDecomposition.Measure(vanilla, test.Inputs, test.InitialState, test.Targets, test.BatchSize, test.TimeSteps,
                noiseStd, p.NoiseDistribution, Salt(seed, 13));
            log($"  {name}: loss decomposition (means over steps, /output unit): denoise {decomposition.MeanDenoise:E3}, integrate {decomposition.MeanIntegrate:E3}, " +
                          $"noise {decomposition.MeanNoise:E3}, total {decomposition.MeanTotal:E3} <= bound {decomposition.MeanBound:E3}");
            try
            {
                int k = Math.Min(AlignmentComponents, hidden);
                alignment = DenoisingAlignment.Measure(vanilla, activeHidden, states, k, Math.Min(AlignmentSamples, states), Salt(seed, 17));
                log($"  {name}: denoising alignment cos(drift, KDE score) in the top {alignment.Components} PCs " +
                              $"({alignment.ExplainedVarianceRatio:P0} of the variance): {alignment.MeanCosine:F3} ± {alignment.StandardError:F3}");
            }
            catch (DegenerateDataException e)
            {
                log($"  {name}: no denoising alignment ({e.Message})");
            }
        }
        else
        {
            log($"  {name}: no loss decomposition or denoising alignment for the {model.Kind} cell (they use the vanilla cell's drift)");
        }
        return new TheoryMeasures(activeHidden, pca, alignment, decomposition);
    }

    /// <summary>Hidden states [chains, steps, hidden] of a short quiescent run from the first held-out start states, for the
    /// hidden-state PCA figures (at most 40 chains of 500 steps, within the preset's batch and KL length), with the
    /// configuration's quiescence modifiers.</summary>
    public static float[] QuiescentHidden(IRecurrentNetwork model, ReadOnlySpan<float> initState, float std, ExperimentConfig p, ulong seed)
    {
        int chains = Math.Min(QuiescentHiddenChains, p.BatchSize), steps = Math.Min(QuiescentHiddenSteps, p.KlSteps);
        int init = model.NetworkOptions.InitSize, hidden = model.NetworkOptions.HiddenSize;
        var h0 = new float[chains * hidden];
        model.Encode(initState[..(chains * init)], chains, h0);
        INoiseSource noise = NoiseStreams.Source(Salt(seed, 19), p.NoiseDistribution);
        return HiddenStateReactivation.RunQuiescent(model, h0, chains, steps, 1, std, noise, p.QuiescenceModifiers);
    }

    /// <summary>
    /// Replay dynamics (<see cref="ReplayAnalysis.Measure"/>) of a quiescent run's decoded paths, its first KlSteps per chain,
    /// against the waking decoded paths of the held-out batch, shared by `reproduce` and `reactivate` so that both report the
    /// same numbers: speed ratio at lags 1 and 10, MSD exponent over lags 1-20 steps (fewer for short paths), step quantiles,
    /// coverage and the W2 occupancy distance (subsample seed from <paramref name="seed"/>). Null when the paths are too short
    /// for the lags (fewer than 3 steps).
    /// </summary>
    public static ReplayMeasures? MeasureReplay(IPathIntegrationTask task, ExperimentConfig p, ulong seed, float[] activeDecoded, QuiescentReport report,
        Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(report);
        int window = Math.Min(p.KlSteps, report.Steps);
        int shortest = Math.Min(window, p.SequenceLength);
        if (shortest < 3) return null;
        double dt = task is SpatialNavigationTask s ? s.Options.Dt : ((HeadDirectionTask)task).Options.Dt;
        var options = new ReplayOptions { MaxLag = Math.Min(20, shortest - 1), Seed = Salt(seed, 43) };
        if (task is SpatialNavigationTask spatial) options = options with { ArenaWidth = spatial.Options.BoxWidth, ArenaHeight = spatial.Options.BoxHeight };
        var active = DecodedPaths.FromTask(task, activeDecoded, p.BatchSize, p.SequenceLength, dt);
        var quiescent = DecodedPaths.FromTask(task, report.QuiescentDecoded, report.Batch, report.Steps, dt).Window(0, window);
        var a = ReplayAnalysis.Measure(active, null, options);
        var q = ReplayAnalysis.Measure(quiescent, active, options);
        // The ratio at lag 10 alone: the speeds at that lag, not a second Measure (whose W2 and MSD fit would be recomputed).
        double? lag10 = null;
        if (shortest > 10 && ReplayAnalysis.Speed(active, 10) is > 0 and var waking10) lag10 = ReplayAnalysis.Speed(quiescent, 10) / waking10;
        log($"  replay: speed {q.SpeedRatio:F2}x waking (lag 10: {lag10:F2}x), diffusion exponent {q.DiffusionExponent:F2} ± {q.DiffusionExponentStandardError:F2} " +
            $"(waking {a.DiffusionExponent:F2}), W2 to waking occupancy {q.OccupancyWasserstein2:G3} (sampling floor {q.OccupancyWasserstein2Floor:G3}) {task.CoordinateUnit}");
        return new ReplayMeasures(new ReplaySummary(window, a.Speed, q.Speed, q.SpeedRatio, lag10, a.DiffusionExponent, q.DiffusionExponent, q.DiffusionExponentStandardError,
            q.StepQuantiles, q.CoverageTimeSeconds, q.FinalCoverage, q.OccupancyWasserstein2, q.OccupancyWasserstein2Floor), a, q);
    }

    /// <summary>A network of the configuration's cell, sizes and activation with initial weights from <paramref name="seed"/>,
    /// and the configuration's training dynamics (<see cref="ApplyTrainingDynamics"/>; both cells take them).</summary>
    public static IRecurrentNetwork CreateModel(ExperimentConfig p, IPathIntegrationTask task, ulong seed)
    {
        int cells = task.OutputSize;
        var activation = Enum.Parse<Activation>(p.Activation, ignoreCase: true);
        IRecurrentNetwork model = p.Model == "gru"
            ? GruRnn.CreateInitialized(new GruRnnOptions(task.InputSize, p.HiddenSize, cells, cells, activation, p.TimeConstant, p.Dt, p.Bias), seed)
            : VanillaRnn.CreateInitialized(new VanillaRnnOptions(task.InputSize, p.HiddenSize, cells, cells, activation, p.TimeConstant, p.Dt, p.Bias)
                { BiasLayout = p.BiasLayout }, seed);
        ApplyTrainingDynamics(model, p);
        return model;
    }

    /// <summary>Gives a network the training modifiers of <paramref name="p"/> (<see cref="ExperimentConfig.TrainingDynamics"/>,
    /// <see cref="RecurrentNetwork{TOptions, TTape}.Dynamics"/>): the network an experiment trains, and one loaded from its checkpoint, whose
    /// context holds the config (so that its evaluation and active runs use the dynamics it was trained with).</summary>
    /// <exception cref="NotSupportedException">Modifiers for a network whose training passes have no modified step (one not
    /// built on <see cref="RecurrentNetwork{TOptions, TTape}"/>, or a cell of it without one).</exception>
    public static void ApplyTrainingDynamics(IRecurrentNetwork model, ExperimentConfig p)
    {
        var dynamics = p.TrainingDynamics;
        if (model is ISimulatedCell cell) cell.Dynamics = dynamics;
        else if (!dynamics.IsNone)
            throw new NotSupportedException($"Training modifiers ({dynamics}: training_momentum, training_adaptation) need a cell of the library; " +
                                            $"the {model.Kind} network has no modified training step.");
    }

    /// <summary>Seed of the training noise in the active run (shared with the active hidden states of `reproduce`).</summary>
    public static ulong ActiveNoiseSeed(ulong seed) => Salt(seed, 7);
}
