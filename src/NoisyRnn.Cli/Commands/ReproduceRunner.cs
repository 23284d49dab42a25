using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using NoisyRnn.Analysis;
using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Tasks;
using NoisyRnn.Training;

namespace NoisyRnn.Cli.Commands;

/// <summary>One trained network of a reproduce run.</summary>
internal sealed record NetworkSummary(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("noise_std")] float NoiseStd,
    [property: JsonPropertyName("steps")] int Steps,
    [property: JsonPropertyName("train_seconds")] double TrainSeconds,
    [property: JsonPropertyName("final_train_loss")] double FinalTrainLoss,
    [property: JsonPropertyName("test_loss")] double TestLoss,
    [property: JsonPropertyName("position_error_m")] double? PositionErrorM,
    [property: JsonPropertyName("position_mse_m2")] double? PositionMseM2,
    [property: JsonPropertyName("kl_uniform_to_active")] double KlUniformToActive,
    [property: JsonPropertyName("weights")] string Weights,
    [property: JsonPropertyName("evaluations")] object Evaluations,
    [property: JsonPropertyName("decoding_error")] double DecodingError,
    [property: JsonPropertyName("decoding_mse")] double DecodingMse,
    [property: JsonPropertyName("decoding_unit")] string DecodingUnit);

/// <summary>One (network, quiescence) pair of a reproduce run; the field names are part of the CLI's contract.</summary>
internal sealed record RunSummary(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("network")] string Network,
    [property: JsonPropertyName("noise_std")] float NoiseStd,
    [property: JsonPropertyName("biased")] bool Biased,
    [property: JsonPropertyName("quiescence_mode")] string QuiescenceMode,
    [property: JsonPropertyName("quiescent_noise_std")] float QuiescentNoiseStd,
    [property: JsonPropertyName("test_loss")] double TestLoss,
    [property: JsonPropertyName("position_error_m")] double? PositionErrorM,
    [property: JsonPropertyName("position_mse_m2")] double? PositionMseM2,
    [property: JsonPropertyName("kl_quiescent_to_active")] double? KlQuiescentToActive,
    [property: JsonPropertyName("kl_standard_error")] double? KlStandardError,
    [property: JsonPropertyName("kl_note")] string? KlNote,
    [property: JsonPropertyName("quiescent_output_variance")] double QuiescentOutputVariance,
    [property: JsonPropertyName("active_step_distance")] double ActiveStepDistance,
    [property: JsonPropertyName("quiescent_step_distance")] double QuiescentStepDistance,
    [property: JsonPropertyName("decoding_error")] double DecodingError,
    [property: JsonPropertyName("decoding_unit")] string DecodingUnit,
    [property: JsonPropertyName("quiescent_mean_signed_step")] double? QuiescentMeanSignedStep,
    [property: JsonPropertyName("denoising_alignment")] double? DenoisingAlignment,
    [property: JsonPropertyName("loss_decomposition")] LossDecompositionSummary? LossDecomposition,
    [property: JsonPropertyName("hidden_state")] HiddenStateSummary? HiddenState = null);

/// <summary>
/// Reactivation measured on the hidden states (<see cref="HiddenStateReactivation.Compare"/>): KL(quiescent || active) of the
/// states projected onto the top active principal components, and the distance to the nearest waking state relative to
/// that of held-out waking states (about 1 on the waking manifold, larger off it).
/// </summary>
internal sealed record HiddenStateSummary(
    [property: JsonPropertyName("components")] int Components,
    [property: JsonPropertyName("explained_variance_ratio")] double ExplainedVarianceRatio,
    [property: JsonPropertyName("pc_kl_quiescent_to_active")] double? PcKl,
    [property: JsonPropertyName("pc_kl_standard_error")] double? PcKlStandardError,
    [property: JsonPropertyName("pc_kl_note")] string? PcKlNote,
    [property: JsonPropertyName("active_nearest_distance")] double ActiveNearestDistance,
    [property: JsonPropertyName("quiescent_nearest_distance")] double QuiescentNearestDistance,
    [property: JsonPropertyName("nearest_distance_ratio")] double NearestDistanceRatio,
    [property: JsonPropertyName("active_pc_mean_square")] double[] ActivePcMeanSquare,
    [property: JsonPropertyName("quiescent_pc_mean_square")] double[] QuiescentPcMeanSquare)
{
    public static HiddenStateSummary From(HiddenStateReactivationResult r) => new(r.Components, r.ExplainedVarianceRatio, r.Kl?.Value,
        r.Kl?.StandardError, r.KlNote, r.ActiveNearestDistance, r.QuiescentNearestDistance, r.NearestDistanceRatio, r.ActiveMeanSquare, r.QuiescentMeanSquare);
}

/// <summary>
/// Means over steps of the loss decomposition of a run's network on the held-out batch with its training noise
/// (THEORY.md, "Measuring the decomposition"; every term divided by the number of output units, like the loss).
/// </summary>
internal sealed record LossDecompositionSummary(
    [property: JsonPropertyName("denoise")] double Denoise,
    [property: JsonPropertyName("integrate")] double Integrate,
    [property: JsonPropertyName("noise")] double Noise,
    [property: JsonPropertyName("total")] double Total,
    [property: JsonPropertyName("cross")] double Cross,
    [property: JsonPropertyName("combined")] double Combined,
    [property: JsonPropertyName("bound")] double Bound)
{
    public static LossDecompositionSummary? From(LossDecompositionResult? r) =>
        r is null ? null : new(r.MeanDenoise, r.MeanIntegrate, r.MeanNoise, r.MeanTotal, r.MeanCross, r.MeanCombined, r.MeanBound);
}

/// <summary>Everything `reproduce` writes to summary.json.</summary>
internal sealed record ReproduceSummary(
    [property: JsonPropertyName("preset")] string Preset,
    [property: JsonPropertyName("seed")] ulong Seed,
    [property: JsonPropertyName("wall_seconds")] double WallSeconds,
    [property: JsonPropertyName("kl_uniform_to_active")] double KlUniformToActive,
    [property: JsonPropertyName("isa")] string Isa,
    [property: JsonPropertyName("task")] string Task,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("settings")] ReproducePreset Settings,
    [property: JsonPropertyName("networks")] IReadOnlyList<NetworkSummary> Networks,
    [property: JsonPropertyName("runs")] IReadOnlyList<RunSummary> Runs,
    [property: JsonPropertyName("kl_random_network_to_active")] IReadOnlyDictionary<string, double?>? KlRandomNetworkToActive = null,
    [property: JsonPropertyName("kl_random_network_note")] string? KlRandomNetworkNote = null,
    [property: JsonPropertyName("kl_matrix")] KlMatrix? KlMatrix = null);

/// <summary>
/// KL(row || column) in nats between every quiescent distribution (each run, the untrained random network, uniform over
/// the arena) and the active distribution of each trained network; null where the row's density does not exist.
/// </summary>
internal sealed record KlMatrix(
    [property: JsonPropertyName("rows")] IReadOnlyList<string> Rows,
    [property: JsonPropertyName("columns")] IReadOnlyList<string> Columns,
    [property: JsonPropertyName("values")] IReadOnlyList<IReadOnlyList<double?>> Values);

/// <summary>
/// The main job: trains a noise-trained and a noise-free network (vanilla RNN or GRU) on the spatial or the head-direction task, runs quiescence three ways
/// (noise-trained with Scaled noise; noise-free with Scaled noise, i.e. none; noise-free with the noise-trained
/// network's quiescent std), measures reactivation, and writes summary.json, the weights and figures.
/// </summary>
internal sealed class ReproduceRunner
{
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        // Nested records without explicit names (settings, evaluations) follow the snake_case of the named fields.
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly ReproducePreset _preset;
    private readonly ulong _seed;
    private readonly string _outDir;
    private readonly TextWriter _log;
    private readonly bool _resume;
    private readonly bool _plots;

    public ReproduceRunner(ReproducePreset preset, ulong seed, string outDir, TextWriter log, bool resume = false, bool plots = true)
    {
        _preset = preset;
        _seed = seed;
        _outDir = outDir;
        _log = log;
        _resume = resume;
        _plots = plots;
    }

    /// <summary>A trained network and what was measured on it. The theory measures (decomposition, alignment) need the
    /// vanilla cell's drift and are null for the GRU.</summary>
    private sealed record TrainedNetwork(string Name, float NoiseStd, IRecurrentNetwork Model, PathIntegrationTrainer Trainer, PathIntegrationResult Result,
        float[] ActiveDecoded, GaussianKde ActiveDensity, double ActiveStepDistance, KlEstimate KlUniform, string WeightsPath,
        float[] ActiveHidden, PcaResult? ActivePca, AlignmentResult? Alignment, LossDecompositionResult? Decomposition)
    {
        public IReadOnlyList<SpatialEvaluation> SpatialEvaluations =>
            Result.Evaluations.Select(e => new SpatialEvaluation(e.Step, e.Loss, e.DecodingError, e.DecodingMse)).ToList();
    }

    public ReproduceSummary Run(CancellationToken cancellationToken = default)
    {
        var p = _preset;
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(_outDir);
        AtomicFile.WriteAllText(Path.Combine(_outDir, ReproduceConfig.FileName), ReproduceConfig.ToJson(p with { Seed = _seed }));
        _log.WriteLine($"NoisyRnn reproduce: preset '{p.Name}', seed {_seed}, SIMD {Kernels.Isa.Tier.ToString()}, {Environment.ProcessorCount} cores");
        bool spatial = p.IsSpatial;
        string cellsText = spatial ? $"{p.PlaceCells} place cells (sigma {p.PlaceCellSigma} m{(p.PlaceCellTuning == "dog" ? $", difference of Gaussians, surround scale {p.SurroundScale}" : "")})" : $"{p.HdCells} HD cells (spread {p.HdSpread:G4} rad)";
        _log.WriteLine($"  {p.Task} task{(p.Biased ? " (biased)" : "")}, {p.Model} cells: {p.HiddenSize} hidden units, {cellsText}, dt/tau {p.Dt}/{p.TimeConstant}, batch {p.BatchSize} x {p.SequenceLength} steps, " +
                       $"{p.Steps} Adam steps at lr {p.LearningRate}; noise-trained std {p.NoiseStd} per step ({p.NoiseDistribution} draws)");
        _log.WriteLine($"  output folder: {Path.GetFullPath(_outDir)}");

        var (task, taskOptions) = RunSetup.CreateTask(p, _seed);

        var networks = new List<TrainedNetwork>
        {
            TrainAndMeasure("noise-trained", p.NoiseStd, task, cancellationToken),
            TrainAndMeasure("noise-free", 0f, task, cancellationToken),
        };

        var reactivation = RunSetup.Reactivation(p, _seed);
        float scaledStd = QuiescentNoise.Scaled.Resolve(p.NoiseStd);
        var plan = new (TrainedNetwork Net, QuiescentNoise Mode)[]
        {
            (networks[0], QuiescentNoise.Scaled),
            (networks[1], QuiescentNoise.Scaled),
            (networks[1], QuiescentNoise.Absolute(scaledStd)),
        };

        var runs = new List<RunSummary>();
        var reports = new List<(string Name, QuiescentReport Report)>();
        var quiescentHidden = new List<Plotting.HiddenRun>();
        foreach (var (net, mode) in plan)
        {
            cancellationToken.ThrowIfCancellationRequested();
            float std = mode.Resolve(net.NoiseStd);
            string name = $"{net.Name}/{mode}";
            _log.WriteLine($"Quiescence {name}: sigma_q = {std:G3} per step, {reactivation.TotalSteps} steps x {p.BatchSize} chains ...");
            var t = Stopwatch.StartNew();
            var report = PathIntegrationReactivation.Analyze(net.Model, task, net.Trainer.TestBatch.InitialState, p.BatchSize,
                net.ActiveDensity, std, reactivation);
            _log.WriteLine($"  done in {t.Elapsed.TotalSeconds:F1} s");
            var last = net.Result.Evaluations[^1];
            runs.Add(new RunSummary(name, net.Name, net.NoiseStd, p.Biased, mode.ToString(), std,
                last.Loss, spatial ? last.DecodingError : null, spatial ? last.DecodingMse : null,
                report.Kl?.Value, report.Kl?.StandardError, report.KlNote,
                report.QuiescentOutputVariance, net.ActiveStepDistance, report.QuiescentStepDistance, last.DecodingError, task.CoordinateUnit,
                report.MeanSignedStep, net.Alignment?.MeanCosine, LossDecompositionSummary.From(net.Decomposition), HiddenState(net, std, p)));
            reports.Add((name, report));
            if (_plots && net.ActivePca is not null)
                quiescentHidden.Add(new Plotting.HiddenRun(name, net.Name, net.ActiveHidden, RunSetup.QuiescentHidden(net.Model, net.Trainer.TestBatch.InitialState, std, p, _seed), net.ActivePca));
        }

        // Baseline of the published analysis: an untrained network of the same architecture, run in quiescence from the same
        // held-out start states with the noise-trained run's quiescent std.
        var (random, randomNote) = RandomNetworkBaseline(task, networks[0], scaledStd, reactivation, cancellationToken);
        var randomKl = new Dictionary<string, double?>();
        foreach (var net in networks)
            randomKl[net.Name] = random is null ? null : KlDivergence.MonteCarlo(random, net.ActiveDensity, p.KlSamples, MatrixSeed(reactivation)).Value;
        if (random is not null)
            _log.WriteLine("  random network: KL(quiescent || active) " + string.Join(", ", randomKl.Select(kv => $"{kv.Key} {kv.Value:F3}")));
        else
            _log.WriteLine($"  random network: no KL ({randomNote})");
        var matrix = BuildKlMatrix(task, networks, plan.Select(x => x.Net.Name).ToList(), reports, random, randomKl, reactivation);

        var summary = new ReproduceSummary(p.Name, _seed, clock.Elapsed.TotalSeconds, networks[0].KlUniform.Value, Kernels.Isa.Tier.ToString(), p.Task, p.Model, p,
            networks.Select(n =>
            {
                var last = n.Result.Evaluations[^1];
                return new NetworkSummary(n.Name, n.NoiseStd, p.Steps, n.Result.WallSeconds, n.Result.FinalLoss, last.Loss,
                    spatial ? last.DecodingError : null, spatial ? last.DecodingMse : null, n.KlUniform.Value, Path.GetRelativePath(_outDir, n.WeightsPath),
                    spatial ? n.SpatialEvaluations : n.Result.Evaluations, last.DecodingError, last.DecodingMse, task.CoordinateUnit);
            }).ToList(),
            runs, randomKl, randomNote, matrix);

        // The theory figures need the vanilla cell's loss decomposition; the GRU has none (see TrainedNetwork).
        if (_plots && spatial)
        {
            var figures = Plotting.ReproduceFigures.Write(_outDir, taskOptions,
                networks[0].ActiveDecoded, networks[0].ActiveDensity, networks[0].Name, p.BatchSize, p.SequenceLength, reports, p.KlSteps,
                networks.Select(n => (n.Name, n.SpatialEvaluations)).ToList());
            foreach (var f in figures) _log.WriteLine($"  figure: {Path.GetRelativePath(_outDir, f)} (+ .svg)");
            string klFigure = Plotting.KlMatrixFigure.Write(Path.Combine(_outDir, "kl_matrix.png"), matrix);
            _log.WriteLine($"  figure: {Path.GetRelativePath(_outDir, klFigure)} (+ .svg)");
            var theory = Plotting.TheoryFigures.Write(_outDir,
                networks.Select(n => (n.Name, n.ActivePca, n.Decomposition)).ToList(), quiescentHidden);
            foreach (var f in theory) _log.WriteLine($"  figure: {Path.GetRelativePath(_outDir, f)} (+ .svg)");
        }
        else if (_plots && task is HeadDirectionTask hd)
        {
            var active = networks.Select(n => new Plotting.HeadDirectionFigures.ActiveHeadings(n.Name, n.ActiveDecoded, n.Trainer.TestBatch.Coordinates,
                p.BatchSize, p.SequenceLength)).ToList();
            var runsByNetwork = reports.Select((r, i) => (r.Name, plan[i].Net.Name, r.Report)).ToList();
            var figures = Plotting.HeadDirectionFigures.Write(_outDir, hd.Options.Dt, active, runsByNetwork).ToList();
            figures.Add(Plotting.KlMatrixFigure.Write(Path.Combine(_outDir, "kl_matrix.png"), matrix));
            foreach (var f in figures) _log.WriteLine($"  figure: {Path.GetRelativePath(_outDir, f)}");
        }

        summary = summary with { WallSeconds = clock.Elapsed.TotalSeconds };
        string summaryPath = Path.Combine(_outDir, "summary.json");
        AtomicFile.WriteAllText(summaryPath, JsonSerializer.Serialize(summary, JsonOptions));
        ResultTable.Print(_log, summary);
        _log.WriteLine($"Wrote {summaryPath} ({summary.WallSeconds:F0} s in total).");
        return summary;
    }

    private TrainedNetwork TrainAndMeasure(string name, float noiseStd, IPathIntegrationTask task, CancellationToken cancellationToken)
    {
        var p = _preset;
        // Both networks start from the same initial weights and see the same batches: only the noise differs.
        IRecurrentNetwork model = CreateModel(task, _seed);
        var training = RunSetup.Training(p, noiseStd, _seed);
        var trainer = new PathIntegrationTrainer(model, task, training);
        string weights = Path.Combine(_outDir, name, "model.nrnn");
        _log.WriteLine($"Training the {name} network (recurrent noise std {noiseStd} per step) ...");
        var progress = new ConsoleProgress(_log, name);
        var result = trainer.Train(progress, weights, _resume, cancellationToken);
        var last = result.Evaluations[^1];
        string unit = task.CoordinateUnit;
        _log.WriteLine($"  {name}: test loss {last.Loss:E3}, decoding error {last.DecodingError:F3} {unit} (MSE {last.DecodingMse:F4} {unit}^2), {result.WallSeconds:F1} s");

        var (active, density, activeStep) = RunSetup.MeasureActive(model, task, trainer.TestBatch, training, p, _seed);
        var uniform = task is SpatialNavigationTask s
            ? KlDivergence.UniformToKde(s.Options.BoxWidth, s.Options.BoxHeight, density, p.KlSamples, Salt(_seed, 11))
            : KlDivergence.UniformIntervalToKde(-Math.PI, Math.PI, density, p.KlSamples, Salt(_seed, 11));

        // Active hidden states, their PCA and the theory checks, as `reactivate` measures them on a loaded network.
        var theory = RunSetup.MeasureTheory(model, trainer.TestBatch, training, p, _seed, noiseStd, name, _log);
        return new TrainedNetwork(name, noiseStd, model, trainer, result, active, density, activeStep, uniform, weights,
            theory.ActiveHidden, theory.Pca, theory.Alignment, theory.Decomposition);
    }

    /// <summary>Seed of the Monte Carlo draws of the KL matrix's new entries (the baseline and the cross entries).</summary>
    private static ulong MatrixSeed(ReactivationOptions reactivation) => Salt(reactivation.Seed, 31);

    /// <summary>
    /// Quiescence of an untrained network with the same options as the trained ones (initial weights from a seed of its
    /// own), from the held-out start states of <paramref name="reference"/>; returns the KDE of its decoded outputs, or
    /// null and the reason when that density does not exist.
    /// </summary>
    private (GaussianKde? Density, string? Note) RandomNetworkBaseline(IPathIntegrationTask task, TrainedNetwork reference, float std,
        ReactivationOptions reactivation, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var p = _preset;
        IRecurrentNetwork model = CreateModel(task, Salt(_seed, 29));
        _log.WriteLine($"Quiescence of an untrained (random) network: sigma_q = {std:G3} per step ...");
        return BaselineDensity(model, task, reference.Trainer.TestBatch.InitialState, p.BatchSize, reference.ActiveDensity, std, reactivation);
    }

    /// <summary>The KDE of a network's decoded quiescent outputs (the first KlSteps of each chain), or null and why: its
    /// positions are degenerate (no KDE) or its state diverged.</summary>
    internal static (GaussianKde? Density, string? Note) BaselineDensity(IRecurrentNetwork model, IPathIntegrationTask task, ReadOnlySpan<float> initState,
        int batch, GaussianKde activeDensity, float std, ReactivationOptions reactivation)
    {
        try
        {
            var report = PathIntegrationReactivation.Analyze(model, task, initState, batch, activeDensity, std, reactivation);
            return (report.QuiescentDensity, report.QuiescentDensity is null ? "random network: " + report.KlNote : null);
        }
        catch (SimulationDivergedException e)
        {
            return (null, "random network diverged: " + e.Message);
        }
    }

    /// <summary>KL(row || column) for rows = each run's quiescence, the random network and uniform over the arena (or the
    /// circle), and columns = each trained network's active positions. Entries already measured are reused; the cross
    /// entries are new Monte Carlo estimates from the densities already fitted.</summary>
    private KlMatrix BuildKlMatrix(IPathIntegrationTask task, IReadOnlyList<TrainedNetwork> networks, IReadOnlyList<string> runNetworks,
        IReadOnlyList<(string Name, QuiescentReport Report)> reports, GaussianKde? random, IReadOnlyDictionary<string, double?> randomKl,
        ReactivationOptions reactivation)
    {
        var rows = new List<string>();
        var values = new List<IReadOnlyList<double?>>();
        for (int r = 0; r < reports.Count; r++)
        {
            var (name, report) = reports[r];
            rows.Add(name);
            values.Add(networks.Select(n =>
                n.Name == runNetworks[r] ? report.Kl?.Value
                : report.QuiescentDensity is null ? (double?)null
                : KlDivergence.MonteCarlo(report.QuiescentDensity, n.ActiveDensity, _preset.KlSamples, MatrixSeed(reactivation)).Value).ToList());
        }
        rows.Add("random network");
        values.Add(networks.Select(n => random is null ? null : randomKl[n.Name]).ToList());
        rows.Add(task is SpatialNavigationTask ? "uniform over the arena" : "uniform over the circle");
        values.Add(networks.Select(n => (double?)n.KlUniform.Value).ToList());
        return new KlMatrix(rows, networks.Select(n => n.Name + " active").ToList(), values);
    }

    private IRecurrentNetwork CreateModel(IPathIntegrationTask task, ulong seed)
    {
        var p = _preset;
        int cells = task.OutputSize;
        var activation = Enum.Parse<Activation>(p.Activation, ignoreCase: true);
        return p.Model == "gru"
            ? GruRnn.CreateInitialized(new GruRnnOptions(task.InputSize, p.HiddenSize, cells, cells, activation, p.TimeConstant, p.Dt, p.Bias), seed)
            : VanillaRnn.CreateInitialized(new VanillaRnnOptions(task.InputSize, p.HiddenSize, cells, cells, activation, p.TimeConstant, p.Dt, p.Bias), seed);
    }

    /// <summary>The hidden-state comparison of one quiescent run with the network's active states (null without a PCA).</summary>
    private HiddenStateSummary? HiddenState(TrainedNetwork net, float std, ReproducePreset p)
    {
        if (net.ActivePca is null) return null;
        if (p.BatchSize < 2)
        {
            _log.WriteLine("  hidden states: not compared (the nearest-state distance needs at least 2 held-out trajectories).");
            return null;
        }
        // About 100 kept states per chain over the KL window.
        int stride = Math.Max(1, p.KlSteps / 100), steps = p.KlSteps - p.KlSteps % stride;
        int hiddenSize = net.Model.NetworkOptions.HiddenSize;
        var h0 = new float[p.BatchSize * hiddenSize];
        net.Model.Encode(net.Trainer.TestBatch.InitialState, p.BatchSize, h0);
        ulong seed = Salt(_seed, 37);
        INoiseSource noise = NoiseStreams.Source(seed, p.NoiseDistribution);
        float[] quiescent = HiddenStateReactivation.RunQuiescent(net.Model, h0, p.BatchSize, steps, stride, std, noise);
        var test = net.Trainer.TestBatch;
        var r = HiddenStateReactivation.Compare(net.ActiveHidden, test.BatchSize, test.TimeSteps, quiescent, quiescent.Length / hiddenSize,
            net.ActivePca, Math.Min(RunSetup.AlignmentComponents, hiddenSize), p.KlSamples, Salt(_seed, 41));
        _log.WriteLine($"  hidden states: KL(quiescent || active) in the top {r.Components} PCs {(r.Kl is { } k ? k.Value.ToString("F3") : "n/a")}, " +
                       $"nearest-waking-state distance {r.QuiescentNearestDistance:G3} vs {r.ActiveNearestDistance:G3} for waking states (ratio {r.NearestDistanceRatio:F2}); " +
                       $"mean square along the PCs active {string.Join("/", r.ActiveMeanSquare.Select(v => v.ToString("G3")))}, quiescent {string.Join("/", r.QuiescentMeanSquare.Select(v => v.ToString("G3")))}");
        return HiddenStateSummary.From(r);
    }

    private static ulong Salt(ulong seed, ulong salt) => RunSetup.Salt(seed, salt);
}
