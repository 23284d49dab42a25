using System.Diagnostics;
using NoisyRnn.Analysis;
using NoisyRnn.Interop;
using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Tasks;
using NoisyRnn.Training;

namespace NoisyRnn.Experiments;

/// <summary>
/// The paper's experiment as one call (Krishna et al. 2024, Sec. 4): trains a noise-trained and a noise-free network (vanilla
/// RNN or GRU) on the spatial or head-direction task from the same initial weights and batches, runs quiescence three ways
/// (noise-trained with Scaled noise; noise-free with Scaled noise, i.e. none; noise-free under the noise-trained network's
/// quiescent std), measures reactivation on decoded outputs and hidden states, the untrained-network and uniform baselines and
/// the KL matrix, and writes the run folder: config.json, summary.json and one folder per network with its checkpoint.
/// </summary>
/// <example>
/// <code>
/// var config = ExperimentPresets.Find("quick") with { Seed = 1 };
/// var result = Experiment.Run(config, "runs/quick-1");
/// foreach (var run in result.Summary.Runs)
///     Console.WriteLine($"{run.Name}: KL(quiescent || active) {run.KlQuiescentToActive:F3}");
/// </code>
/// </example>
public static class Experiment
{
    /// <summary>Name of the summary file in a run folder.</summary>
    public const string SummaryFileName = "summary.json";

    /// <summary>Name of the config file in a run folder.</summary>
    public const string ConfigFileName = ExperimentConfigJson.FileName;

    /// <summary>The two networks of every experiment, in training order.</summary>
    public static IReadOnlyList<string> NetworkNames { get; } = ["noise-trained", "noise-free"];

    /// <summary>Checkpoint file name inside a network's folder.</summary>
    public const string CheckpointFileName = "model.nrnn";

    /// <summary>What <paramref name="folder"/> holds relative to <paramref name="config"/>, and a one-line description
    /// (for <see cref="RunFolderState.OtherConfig"/> the first field that differs, with both values).</summary>
    /// <param name="folder">The run folder (may not exist).</param>
    /// <param name="config">The configuration to run there.</param>
    /// <returns>The state and the description.</returns>
    /// <exception cref="InvalidDataException">The folder's config.json is not a valid config.</exception>
    public static (RunFolderState State, string Description) Inspect(string folder, ExperimentConfig config)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentNullException.ThrowIfNull(config);
        if (!Directory.Exists(folder) || !Directory.EnumerateFileSystemEntries(folder).Any()) return (RunFolderState.New, $"{folder} is new");
        string configPath = Path.Combine(folder, ConfigFileName);
        if (!File.Exists(configPath)) return (RunFolderState.Foreign, $"{folder} is not empty and holds no run (no {ConfigFileName})");
        ExperimentConfig saved;
        try
        {
            saved = ExperimentConfig.Load(configPath);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
        if (ExperimentConfigJson.FirstDifference(saved, config) is { } difference)
            return (RunFolderState.OtherConfig, $"{folder} holds a run of another config: {difference}");
        return File.Exists(Path.Combine(folder, SummaryFileName))
            ? (RunFolderState.Finished, $"{folder} holds a finished run of this config")
            : (RunFolderState.Interrupted, $"{folder} holds an unfinished run of this config");
    }

    /// <summary>
    /// Runs <paramref name="config"/> into <paramref name="folder"/>. A folder holding an unfinished run of the same
    /// configuration continues it from the networks' last checkpoints (the final weights equal an uninterrupted run's bit
    /// for bit, and the learning curves keep the steps before the interruption); a finished one is re-analysed from its
    /// saved networks (same numbers). A folder holding another configuration or other files is refused unless
    /// <see cref="ExperimentRunOptions.Force"/>.
    /// </summary>
    /// <param name="config">The configuration; validated.</param>
    /// <param name="folder">The run folder; created if needed.</param>
    /// <param name="options">Checkpoint interval and overwrite policy; null for the defaults.</param>
    /// <param name="progress">Receives stage lines and every training step; may be null.</param>
    /// <param name="cancellationToken">Stops between training steps and between stages; the last checkpoint stays valid.</param>
    /// <returns>The trained networks, the quiescence runs and the summary.</returns>
    /// <exception cref="ArgumentException">An invalid config field (named), or a folder that holds another run or other files
    /// (ParamName "folder"; the message names the differing field and both values).</exception>
    /// <exception cref="InvalidDataException">A checkpoint in the folder is corrupt or belongs to another network.</exception>
    /// <exception cref="TrainingDivergedException">Training diverged (the step and the quantity are named).</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static ExperimentResult Run(ExperimentConfig config, string folder, ExperimentRunOptions? options = null,
        IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        config.Validate();
        options ??= new ExperimentRunOptions();
        if (options.CheckpointEvery <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.CheckpointEvery, "options.CheckpointEvery must be > 0.");
        return new ExperimentRunner(config, folder, options, progress).Run(cancellationToken);
    }

    /// <summary>The figures the noisyrnn tool writes into a run folder (each as .png and .svg).</summary>
    private static readonly string[] FigureNames =
    [
        "trajectories", "densities", "learning_curves", "explained_variance", "hidden_pca", "hidden_pca_density", "kl_matrix",
        "loss_decomposition", "hd_headings", "hd_densities",
    ];

    /// <summary>Removes the experiment's own files from a folder (config, summary, network folders with their exported files,
    /// and the tool's figures by name), leaving anything else, a user's own figures included.</summary>
    internal static void Clear(string folder)
    {
        foreach (string name in NetworkNames)
        {
            string dir = Path.Combine(folder, name);
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        var own = new HashSet<string>(FigureNames.SelectMany(f => new[] { f + ".png", f + ".svg" })) { ConfigFileName, SummaryFileName };
        foreach (string file in Directory.EnumerateFiles(folder))
        {
            string name = Path.GetFileName(file);
            if (own.Contains(name) || name.EndsWith(".tmp", StringComparison.Ordinal)) File.Delete(file);
        }
    }
}

/// <summary>One <see cref="Experiment.Run"/> call.</summary>
internal sealed class ExperimentRunner
{
    private readonly ExperimentConfig _config;
    private readonly string _folder;
    private readonly ExperimentRunOptions _options;
    private readonly IProgress<ExperimentProgress>? _progress;
    private ExperimentStage _stage = ExperimentStage.Setup;

    public ExperimentRunner(ExperimentConfig config, string folder, ExperimentRunOptions options, IProgress<ExperimentProgress>? progress)
    {
        _config = config;
        _folder = folder;
        _options = options;
        _progress = progress;
    }

    private ulong Seed => _config.Seed;

    private void Log(string message, string? network = null) => _progress?.Report(new ExperimentProgress(_stage, message, network));

    public ExperimentResult Run(CancellationToken cancellationToken)
    {
        var p = _config;
        var clock = Stopwatch.StartNew();
        var (state, description) = Experiment.Inspect(_folder, p);
        if (state is RunFolderState.OtherConfig or RunFolderState.Foreign)
        {
            if (!_options.Force)
                throw new ArgumentException($"{description}; choose another folder, or force a new run there (its experiment files are replaced).", "folder");
            Log($"Starting over in {_folder} ({description}).");
            Experiment.Clear(_folder);
        }
        Directory.CreateDirectory(_folder);
        AtomicFile.WriteAllText(Path.Combine(_folder, Experiment.ConfigFileName), p.ToJson());
        Log($"NoisyRnn experiment: preset '{p.Name}', seed {Seed}, SIMD {Kernels.Isa.Tier}, {Environment.ProcessorCount} cores, library {BuildInfo.Version} ({BuildInfo.Commit})");
        bool spatial = p.IsSpatial;
        string cellsText = spatial ? $"{p.PlaceCells} place cells (sigma {p.PlaceCellSigma} m{(p.PlaceCellTuning == "dog" ? $", difference of Gaussians, surround scale {p.SurroundScale}" : "")})" : $"{p.HdCells} HD cells (spread {p.HdSpread:G4} rad)";
        Log($"  {p.Task} task{(p.Biased ? " (biased)" : "")}, {p.Model} cells: {p.HiddenSize} hidden units, {cellsText}, dt/tau {p.Dt}/{p.TimeConstant}, batch {p.BatchSize} x {p.SequenceLength} steps, " +
            $"{p.Steps} Adam steps at lr {p.LearningRate}; noise-trained std {p.NoiseStd} per step ({p.NoiseDistribution} draws)");
        if (!p.TrainingDynamics.IsNone) Log($"  training modifiers (the networks' own dynamics: training, evaluation, active and quiescent runs): {p.TrainingDynamics}");
        if (!p.QuiescenceModifiers.IsNone) Log($"  quiescence modifiers (quiescent runs only, over the networks' own): {p.QuiescenceModifiers}");
        Log($"  output folder: {Path.GetFullPath(_folder)}{(state == RunFolderState.Interrupted ? " (continuing an unfinished run)" : state == RunFolderState.Finished ? " (finished: re-analysing the saved networks)" : "")}");

        var (task, _) = ExperimentSetup.CreateTask(p, Seed);
        var networks = new List<TrainedNetwork>
        {
            TrainAndMeasure(Experiment.NetworkNames[0], p.NoiseStd, task, cancellationToken),
            TrainAndMeasure(Experiment.NetworkNames[1], 0f, task, cancellationToken),
        };

        _stage = ExperimentStage.Quiescence;
        var reactivation = ExperimentSetup.Reactivation(p, Seed);
        float scaledStd = QuiescentNoise.Scaled.Resolve(p.NoiseStd);
        var plan = new (TrainedNetwork Net, QuiescentNoise Mode)[]
        {
            (networks[0], QuiescentNoise.Scaled),
            (networks[1], QuiescentNoise.Scaled),
            (networks[1], QuiescentNoise.Absolute(scaledStd)),
            // The theory's other noise level: sigma_q = sigma samples p^2 instead of p (density exponent 2).
            (networks[0], QuiescentNoise.Same),
        };

        var runs = new List<ExperimentQuiescenceRun>();
        foreach (var (net, mode) in plan)
        {
            cancellationToken.ThrowIfCancellationRequested();
            float std = mode.Resolve(net.NoiseStd);
            string name = $"{net.Name}/{mode}";
            Log($"Quiescence {name}: sigma_q = {std:G3} per step, {reactivation.TotalSteps} steps x {p.BatchSize} chains ...", net.Name);
            var t = Stopwatch.StartNew();
            var report = PathIntegrationReactivation.Analyze(net.Model, task, net.TestBatch.InitialState, p.BatchSize,
                net.ActiveDensity, std, reactivation with { RunawayReferenceNorm = Runaway.MeanNorm(net.ActiveHidden, net.Model.NetworkOptions.HiddenSize) },
                p.QuiescenceModifiers);
            if (report.Runaway is { RanAway: true } ran) Log($"  {ran.Describe()}", net.Name);
            Log($"  done in {t.Elapsed.TotalSeconds:F1} s", net.Name);
            var last = net.Evaluations[^1];
            var summary = new QuiescenceRunSummary(name, net.Name, net.NoiseStd, p.Biased, mode.ToString(), std,
                last.Loss, spatial ? last.DecodingError : null, spatial ? last.DecodingMse : null,
                report.Kl?.Value, report.Kl?.StandardError, report.KlNote,
                report.QuiescentOutputVariance, net.ActiveStepDistance, report.QuiescentStepDistance, last.DecodingError, task.CoordinateUnit,
                report.MeanSignedStep, net.Alignment?.MeanCosine, LossDecompositionSummary.From(net.Decomposition), null);
            var (hiddenSummary, quiescentHidden, stride) = HiddenState(net, std);
            summary = summary with { HiddenState = hiddenSummary };
            summary = summary with
            {
                Replay = report.Runaway is { RanAway: true } ? null : Replay(task, net, report),
                Runaway = report.Runaway is { } rr ? new RunawaySummary(rr.RanAway, rr.Step, rr.Chain, rr.GrowthRate, rr.GrowthRateStandardError, rr.Threshold, rr.MaxNorm, rr.Describe()) : null,
                DensityExponent = Exponent(task, net, report, std),
                KlVsTime = KlOverTime(task, net, report),
            };
            summary = WithBias(summary, task, net, report);
            WriteActivity(Path.Combine(_folder, net.Name, mode.ToString(), ActivityFileName), task, net, report, std, quiescentHidden, stride);
            float[] hiddenSample = ExperimentSetup.QuiescentHidden(net.Model, net.TestBatch.InitialState, std, p, Seed);
            runs.Add(new ExperimentQuiescenceRun(name, net.Name, mode, report, hiddenSample, summary));
        }

        // Baseline of the published analysis: an untrained network of the same architecture, run in quiescence from the same
        // held-out start states with the noise-trained run's quiescent std.
        _stage = ExperimentStage.Baselines;
        cancellationToken.ThrowIfCancellationRequested();
        var (random, randomNote) = RandomNetworkBaseline(task, networks[0], scaledStd, reactivation);
        var randomKl = new Dictionary<string, double?>();
        foreach (var net in networks)
            randomKl[net.Name] = random is null ? null : KlDivergence.MonteCarlo(random, net.ActiveDensity, p.KlSamples, MatrixSeed(reactivation)).Value;
        if (random is not null)
            Log("  random network: KL(quiescent || active) " + string.Join(", ", randomKl.Select(kv => $"{kv.Key} {kv.Value:F3}")));
        else
            Log($"  random network: no KL ({randomNote})");
        var matrix = BuildKlMatrix(task, networks, runs, random, randomKl, reactivation);

        _stage = ExperimentStage.Writing;
        var networkSummaries = networks.Select(n =>
        {
            var last = n.Evaluations[^1];
            return new NetworkSummary(n.Name, n.NoiseStd, p.Steps, n.Training.TrainingSeconds, n.Training.FinalLoss, last.Loss,
                spatial ? last.DecodingError : null, spatial ? last.DecodingMse : null, n.KlUniform.Value, Path.GetRelativePath(_folder, n.CheckpointPath),
                n.Evaluations, last.DecodingError, last.DecodingMse, task.CoordinateUnit)
            {
                DenoisingGain = n.DenoisingGain,
                TrainSecondsFromStep = n.Training.TimedFromStep,
            };
        }).ToList();
        // This process's time, plus the training time earlier processes left in the checkpoints it continued from.
        double wall = clock.Elapsed.TotalSeconds, earlier = networks.Sum(n => n.Training.StartSeconds);
        var experimentSummary = new ExperimentSummary(p.Name, Seed, wall, networks[0].KlUniform.Value, Kernels.Isa.Tier.ToString(),
            p.Task, p.Model, p, networkSummaries, runs.Select(r => r.Summary).ToList(), randomKl, randomNote, matrix)
        {
            DensityEstimator = networks[0].ActiveDensity.Estimator,
            KlSteps = p.KlSteps,
            TotalWallSeconds = wall + earlier,
        };
        string summaryPath = Path.Combine(_folder, Experiment.SummaryFileName);
        AtomicFile.WriteAllText(summaryPath, experimentSummary.ToJson());
        Log(earlier > 0
            ? $"Wrote {summaryPath} ({experimentSummary.TotalWallSeconds:F0} s in total over the processes that ran it, {wall:F0} s in this one)."
            : $"Wrote {summaryPath} ({wall:F0} s in total).");
        return new ExperimentResult(p, Path.GetFullPath(_folder), task,
            networks.Select(n => new ExperimentNetwork(n.Name, n.NoiseStd, n.Model, n.Context, n.TestBatch, n.Evaluations, n.ActiveDecoded, n.ActiveDensity,
                n.ActiveHidden, n.Pca, n.Alignment, n.Decomposition, n.CheckpointPath)).ToList(),
            runs, experimentSummary);
    }

    /// <summary>A trained network and what was measured on it. The theory measures (decomposition, alignment) need the
    /// vanilla cell's drift and are null for the GRU.</summary>
    private sealed record TrainedNetwork(string Name, float NoiseStd, IRecurrentNetwork Model, NetworkContext Context, IPathIntegrationBatch TestBatch,
        IReadOnlyList<TaskEvaluation> Evaluations, PathIntegrationResult Training,
        float[] ActiveDecoded, IKernelDensity ActiveDensity, double ActiveStepDistance, KlEstimate KlUniform, string CheckpointPath,
        float[] ActiveHidden, PcaResult? Pca, AlignmentResult? Alignment, LossDecompositionResult? Decomposition,
        IKernelDensity? OtherBiasDensity, DenoisingGainSummary? DenoisingGain);

    private TrainedNetwork TrainAndMeasure(string name, float noiseStd, IPathIntegrationTask task, CancellationToken cancellationToken)
    {
        var p = _config;
        cancellationToken.ThrowIfCancellationRequested();
        _stage = ExperimentStage.Training;
        // Both networks start from the same initial weights and see the same batches: only the noise differs.
        IRecurrentNetwork model = ExperimentSetup.CreateModel(p, task, Seed);
        var training = ExperimentSetup.Training(p, noiseStd, Seed, _options.CheckpointEvery);
        var trainer = new PathIntegrationTrainer(model, task, training);
        var context = NetworkContext.For(name, noiseStd, p, task);
        string weights = Path.Combine(_folder, name, Experiment.CheckpointFileName);
        if (File.Exists(weights))
        {
            var saved = Checkpoint.Load(weights);
            if (NetworkContext.FromCheckpoint(saved) is { } savedContext && ExperimentConfigJson.FirstDifference(savedContext.Config, p) is { } difference)
                throw new InvalidDataException($"{weights} was trained with another config ({difference}); start the run over in another folder.");
            Log(saved.Step >= p.Steps
                ? $"The {name} network is trained ({saved.Step} steps, {weights})."
                : $"Resuming the {name} network from its checkpoint at step {saved.Step} of {p.Steps} ({weights}) ...", name);
        }
        else
        {
            Log($"Training the {name} network (recurrent noise std {noiseStd} per step) ...", name);
        }
        var progress = _progress is null ? null : new TrainingRelay(_progress, name);
        var result = trainer.Train(progress, weights, resume: true, cancellationToken, context.ToMetadata());
        SafeTensorsModel.Save(Path.Combine(_folder, name, ExperimentRunner.SafetensorsFileName), model, context.ToMetadata());
        var last = result.Evaluations[^1];
        string unit = task.CoordinateUnit;
        string earlier = result.StartSeconds > 0 ? $" ({result.TrainingSeconds - result.StartSeconds:F1} s in this process)" : "";
        Log($"  {name}: test loss {last.Loss:E3}, decoding error {last.DecodingError:F3} {unit} (MSE {last.DecodingMse:F4} {unit}^2), {result.TrainingSeconds:F1} s of training{earlier}", name);

        _stage = ExperimentStage.Measuring;
        var (active, density, activeStep) = ExperimentSetup.MeasureActive(model, task, trainer.TestBatch, training, p, Seed);
        var uniform = task is SpatialNavigationTask s
            ? KlDivergence.UniformToKde(s.Options.BoxWidth, s.Options.BoxHeight, density, p.KlSamples, SeedSequence.Salt(Seed, 11))
            : KlDivergence.UniformCircleToKde(density, p.KlSamples, SeedSequence.Salt(Seed, 11));

        // Active hidden states, their PCA and the theory checks, as `reactivate` measures them on a loaded network.
        var theory = ExperimentSetup.MeasureTheory(model, trainer.TestBatch, training, p, Seed, noiseStd, name, line => Log(line, name));
        var gain = Denoising(model, theory, name);
        var other = OtherBiasDensity(model, training, name);
        return new TrainedNetwork(name, noiseStd, model, context, trainer.TestBatch, result.Evaluations, result,
            active, density, activeStep, uniform, weights, theory.ActiveHidden, theory.Pca, theory.Alignment, theory.Decomposition, other, gain);
    }

    // Perturbation sizes of the denoising gain, in multiples of the noise-trained network's training std, and its samples.
    private static readonly double[] GainScales = [1, 2, 4, 8];
    private const int GainSamples = 500;

    /// <summary>The denoising gain of a network at the noise-trained network's training std (the same sizes for both networks,
    /// so they compare), or null without a PCA or a training noise.</summary>
    private DenoisingGainSummary? Denoising(IRecurrentNetwork model, TheoryMeasures theory, string name)
    {
        var p = _config;
        if (theory.Pca is null || !(p.NoiseStd > 0)) return null;
        int hidden = model.NetworkOptions.HiddenSize, states = theory.ActiveHidden.Length / hidden;
        double[] scales = GainScales.Select(k => k * p.NoiseStd).ToArray();
        var g = DenoisingGain.Measure(model, theory.ActiveHidden, states, theory.Pca, Math.Min(ExperimentSetup.AlignmentComponents, hidden), scales,
            Math.Min(GainSamples, states), SeedSequence.Salt(Seed, 47));
        var at = g.Nearest(p.NoiseStd);
        Log($"  {name}: denoising gain per step at perturbation std {at.Scale:G3}: off the waking manifold {at.OffManifold.Value:F3} ± {at.OffManifold.StandardError:F3}, " +
            $"on it {at.OnManifold.Value:F3} ± {at.OnManifold.StandardError:F3}; the leak alone removes {g.Leak:F3}", name);
        return new DenoisingGainSummary(at.Scale, at.OffManifold.Value, at.OffManifold.StandardError, at.OnManifold.Value, at.OnManifold.StandardError,
            at.Total.Value, g.Leak, g.Components, g.Points.Select(x => new DenoisingGainAtScale(x.Scale, x.OffManifold.Value, x.OnManifold.Value, x.Total.Value)).ToList());
    }

    /// <summary>The network's active decoded density on trajectories of the other bias (biased when the run's are unbiased and
    /// vice versa), for the cross KLs of biased reactivation; same cells and held-out seed.</summary>
    private IKernelDensity? OtherBiasDensity(IRecurrentNetwork model, TrainingOptions training, string name)
    {
        var p = _config;
        var twin = p with { Biased = !p.Biased };
        var (task, _) = ExperimentSetup.CreateTask(twin, Seed);
        var batch = new PathIntegrationTrainer(model, task, training).TestBatch;
        try
        {
            return ExperimentSetup.MeasureActive(model, task, batch, training, twin, Seed).Density;
        }
        catch (DegenerateDataException e)
        {
            Log($"  {name}: no active density on {(twin.Biased ? "biased" : "unbiased")} trajectories ({e.Message})", name);
            return null;
        }
    }

    /// <summary>The exponent a of q ∝ p^a for a quiescent run, with the prediction 2σ²/σ_q²; a null value with a note where the
    /// fit is not possible (p flat, or no quiescent density).</summary>
    private DensityExponentSummary Exponent(IPathIntegrationTask task, TrainedNetwork net, QuiescentReport report, float std)
    {
        double? predicted = net.NoiseStd > 0 && std > 0 ? DensityExponent.Predicted(net.NoiseStd, std) : null;
        if (report.QuiescentEstimate is null) return new DensityExponentSummary(null, null, predicted, 0, "no quiescent density: " + report.KlNote);
        double[] grid = task is SpatialNavigationTask s ? DensityExponent.BoxGrid(s.Options.BoxWidth, s.Options.BoxHeight, 44) : DensityExponent.CircleGrid(180);
        try
        {
            var fit = DensityExponent.Fit(net.ActiveDensity, report.QuiescentEstimate, grid);
            return new DensityExponentSummary(fit.Value, fit.StandardError, predicted, fit.GridPoints, null);
        }
        catch (DegenerateDataException e)
        {
            return new DensityExponentSummary(null, null, predicted, 0, e.Message);
        }
    }

    /// <summary>KL(quiescent || active) over growing prefixes of the chains, up to the whole quiescent run.</summary>
    private IReadOnlyList<KlAtTimeSummary>? KlOverTime(IPathIntegrationTask task, TrainedNetwork net, QuiescentReport report)
    {
        if (report.Steps < 10 || report.Runaway is { RanAway: true }) return null;
        var ends = QuiescentMixing.LogSpacedSteps(report.Steps, 5);
        var kls = QuiescentMixing.KlOverTime(task, net.ActiveDensity, report.QuiescentDecoded, report.Batch, report.Steps, ends, MixingWindow.Prefix,
            _config.KlSamples, SeedSequence.Salt(Seed, 53));
        return kls.Select(k => new KlAtTimeSummary(k.StartStep, k.EndStep, k.Kl?.Value, k.Kl?.StandardError)).ToList();
    }

    /// <summary>The biased-reactivation measures of a run: cross KLs against the network's biased and unbiased active
    /// distributions, and the radial profile (spatial) or turning statistics (head direction) of active and quiescent paths.</summary>
    private QuiescenceRunSummary WithBias(QuiescenceRunSummary summary, IPathIntegrationTask task, TrainedNetwork net, QuiescentReport report)
    {
        var p = _config;
        double? own = summary.KlQuiescentToActive, other = null;
        if (report.QuiescentEstimate is { } q && net.OtherBiasDensity is { } o)
            other = KlDivergence.MonteCarlo(q, o, p.KlSamples, SeedSequence.Salt(Seed, 59)).Value;
        summary = p.Biased ? summary with { KlToBiasedActive = own, KlToUnbiasedActive = other } : summary with { KlToBiasedActive = other, KlToUnbiasedActive = own };
        int window = Math.Min(p.KlSteps, report.Steps), c = task.DecodedSize;
        var quiescent = report.QuiescentDecoded.AsSpan(0, report.Batch * report.Steps * c);
        var kept = new float[report.Batch * window * c];
        for (int b = 0; b < report.Batch; b++) quiescent.Slice(b * report.Steps * c, window * c).CopyTo(kept.AsSpan(b * window * c));
        if (!float.IsFinite(kept.Max()) || !float.IsFinite(kept.Min())) return summary;
        if (task is SpatialNavigationTask s)
        {
            double maxRadius = 0.5 * Math.Sqrt(s.Options.BoxWidth * s.Options.BoxWidth + s.Options.BoxHeight * s.Options.BoxHeight);
            var a = BiasedReactivation.Radial(net.ActiveDecoded, p.BatchSize, p.SequenceLength, 0, 0, maxRadius, 22);
            var qr = BiasedReactivation.Radial(kept, report.Batch, window, 0, 0, maxRadius, 22);
            return summary with
            {
                RadialProfile = new RadialSummary(a.MeanDistance.Value, a.MeanDistance.StandardError, qr.MeanDistance.Value, qr.MeanDistance.StandardError,
                    a.Edges, a.Fraction, qr.Fraction),
            };
        }
        var at = BiasedReactivation.Turning(net.ActiveDecoded, p.BatchSize, p.SequenceLength);
        var qt = BiasedReactivation.Turning(kept, report.Batch, window);
        return summary with
        {
            Turning = new TurningSummary(at.MeanSignedStep.Value, at.MeanSignedStep.StandardError, at.CounterClockwiseFraction,
                qt.MeanSignedStep.Value, qt.MeanSignedStep.StandardError, qt.CounterClockwiseFraction),
        };
    }

    /// <summary>Passes the trainer's step reports on as <see cref="ExperimentProgress"/>.</summary>
    private sealed class TrainingRelay(IProgress<ExperimentProgress> target, string network) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => target.Report(new ExperimentProgress(ExperimentStage.Training, "", network, value));
    }

    /// <summary>Seed of the Monte Carlo draws of the KL matrix's new entries (the baseline and the cross entries).</summary>
    private static ulong MatrixSeed(ReactivationOptions reactivation) => SeedSequence.Salt(reactivation.Seed, 31);

    /// <summary>
    /// Quiescence of an untrained network with the same options as the trained ones (initial weights from a seed of its
    /// own), from the held-out start states of <paramref name="reference"/>; returns the KDE of its decoded outputs, or
    /// null and the reason when that density does not exist.
    /// </summary>
    private (IKernelDensity? Density, string? Note) RandomNetworkBaseline(IPathIntegrationTask task, TrainedNetwork reference, float std,
        ReactivationOptions reactivation)
    {
        IRecurrentNetwork model = ExperimentSetup.CreateModel(_config, task, SeedSequence.Salt(Seed, 29));
        Log($"Quiescence of an untrained (random) network: sigma_q = {std:G3} per step ...");
        return BaselineDensity(model, task, reference.TestBatch.InitialState, _config.BatchSize, reference.ActiveDensity, std, reactivation,
            _config.QuiescenceModifiers);
    }

    /// <summary>The KDE of a network's decoded quiescent outputs (the first KlSteps of each chain, with the quiescence
    /// modifiers if any), or null and why: its positions are degenerate (no KDE) or its state diverged.</summary>
    internal static (IKernelDensity? Density, string? Note) BaselineDensity(IRecurrentNetwork model, IPathIntegrationTask task, ReadOnlySpan<float> initState,
        int batch, IKernelDensity activeDensity, float std, ReactivationOptions reactivation, DynamicsModifiers? modifiers = null)
    {
        try
        {
            var report = PathIntegrationReactivation.Analyze(model, task, initState, batch, activeDensity, std, reactivation, modifiers);
            return (report.QuiescentEstimate, report.QuiescentEstimate is null ? "random network: " + report.KlNote : null);
        }
        catch (SimulationDivergedException e)
        {
            return (null, "random network diverged: " + e.Message);
        }
    }

    /// <summary>KL(row || column) for rows = each run's quiescence, the random network and uniform over the arena (or the
    /// circle), and columns = each trained network's active positions. Entries already measured are reused; the cross
    /// entries are new Monte Carlo estimates from the densities already fitted.</summary>
    private KlMatrix BuildKlMatrix(IPathIntegrationTask task, IReadOnlyList<TrainedNetwork> networks, IReadOnlyList<ExperimentQuiescenceRun> runs,
        IKernelDensity? random, IReadOnlyDictionary<string, double?> randomKl, ReactivationOptions reactivation)
    {
        var rows = new List<string>();
        var values = new List<IReadOnlyList<double?>>();
        foreach (var run in runs)
        {
            rows.Add(run.Name);
            values.Add(networks.Select(n =>
                n.Name == run.Network ? run.Report.Kl?.Value
                : run.Report.QuiescentEstimate is null ? (double?)null
                : KlDivergence.MonteCarlo(run.Report.QuiescentEstimate, n.ActiveDensity, _config.KlSamples, MatrixSeed(reactivation)).Value).ToList());
        }
        rows.Add("random network");
        values.Add(networks.Select(n => random is null ? null : randomKl[n.Name]).ToList());
        rows.Add(task is SpatialNavigationTask ? "uniform over the arena" : "uniform over the circle");
        values.Add(networks.Select(n => (double?)n.KlUniform.Value).ToList());
        return new KlMatrix(rows, networks.Select(n => n.Name + " active").ToList(), values);
    }

    /// <summary>Replay dynamics of a quiescent run's decoded paths against the waking ones (<see cref="ExperimentSetup.MeasureReplay"/>).</summary>
    private ReplaySummary? Replay(IPathIntegrationTask task, TrainedNetwork net, QuiescentReport report) =>
        ExperimentSetup.MeasureReplay(task, _config, Seed, net.ActiveDecoded, report, m => Log(m, net.Name))?.Summary;

    /// <summary>File name of a quiescence run's decoded outputs and hidden states (NumPy .npz), in RUN/&lt;network&gt;/&lt;mode&gt;/.</summary>
    internal const string ActivityFileName = "activity.npz";

    /// <summary>File name of a network's weights for Python (safetensors), beside its checkpoint.</summary>
    internal const string SafetensorsFileName = "model.safetensors";

    /// <summary>The active and quiescent activity of one run as NumPy arrays (docs/python.md): decoded outputs [batch, time,
    /// coords], targets, hidden states [batch, time, hidden], the strided quiescent hidden states [chains, kept, hidden] of
    /// the hidden-state measures (every <c>stride</c>-th step of the KL window; empty without a PCA) and the quiescent std.</summary>
    private void WriteActivity(string path, IPathIntegrationTask task, TrainedNetwork net, QuiescentReport report, float std, float[]? quiescentHidden, int stride)
    {
        var p = _config;
        int c = task.DecodedSize, h = net.Model.NetworkOptions.HiddenSize;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        float[] hidden = quiescentHidden ?? [];
        Npz.Write(path, [
            ("active_outputs", NpyArray.Create(net.ActiveDecoded, p.BatchSize, p.SequenceLength, c)),
            ("active_targets", NpyArray.Create(net.TestBatch.Coordinates, p.BatchSize, p.SequenceLength, c)),
            ("active_hidden", NpyArray.Create(net.ActiveHidden, p.BatchSize, p.SequenceLength, h)),
            ("quiescent_outputs", NpyArray.Create(report.QuiescentDecoded, report.Batch, report.Steps, c)),
            ("quiescent_hidden", NpyArray.Create(hidden, hidden.Length == 0 ? 0 : p.BatchSize, hidden.Length / Math.Max(1, p.BatchSize * h), h)),
            ("quiescent_hidden_stride", NpyArray.Create(new[] { stride })),
            ("quiescent_noise_std", NpyArray.Create(new[] { std })),
        ]);
    }

    /// <summary>The hidden-state comparison of one quiescent run with the network's active states (null without a PCA), with
    /// the strided quiescent states it used [chains, kept, hidden] and the stride.</summary>
    private (HiddenStateSummary? Summary, float[]? Quiescent, int Stride) HiddenState(TrainedNetwork net, float std)
    {
        var p = _config;
        if (net.Pca is null) return (null, null, 0);
        if (p.BatchSize < 2)
        {
            Log("  hidden states: not compared (the nearest-state distance needs at least 2 held-out trajectories).", net.Name);
            return (null, null, 0);
        }
        // About 100 kept states per chain over the KL window.
        int stride = Math.Max(1, p.KlSteps / 100), steps = p.KlSteps - p.KlSteps % stride;
        int hiddenSize = net.Model.NetworkOptions.HiddenSize;
        var h0 = new float[p.BatchSize * hiddenSize];
        net.Model.Encode(net.TestBatch.InitialState, p.BatchSize, h0);
        INoiseSource noise = NoiseStreams.Source(SeedSequence.Salt(Seed, 37), p.NoiseDistribution);
        float[] quiescent = HiddenStateReactivation.RunQuiescent(net.Model, h0, p.BatchSize, steps, stride, std, noise, p.QuiescenceModifiers);
        var test = net.TestBatch;
        var r = HiddenStateReactivation.Compare(net.ActiveHidden, test.BatchSize, test.TimeSteps, quiescent, quiescent.Length / hiddenSize,
            net.Pca, Math.Min(ExperimentSetup.AlignmentComponents, hiddenSize), p.KlSamples, SeedSequence.Salt(Seed, 41));
        Log($"  hidden states: KL(quiescent || active) in the top {r.Components} PCs {(r.Kl is { } k ? k.Value.ToString("F3") : "n/a")}, " +
            $"nearest-waking-state distance {r.QuiescentNearestDistance:G3} vs {r.ActiveNearestDistance:G3} for waking states (ratio {r.NearestDistanceRatio:F2}); " +
            $"mean square along the PCs active {string.Join("/", r.ActiveMeanSquare.Select(v => v.ToString("G3")))}, quiescent {string.Join("/", r.QuiescentMeanSquare.Select(v => v.ToString("G3")))}", net.Name);
        return (HiddenStateSummary.From(r), quiescent, stride);
    }
}
