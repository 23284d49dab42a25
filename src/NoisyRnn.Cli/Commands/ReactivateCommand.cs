using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using NoisyRnn.Analysis;
using NoisyRnn.Experiments;
using NoisyRnn.Noise;
using NoisyRnn.Training;

namespace NoisyRnn.Cli.Commands;

/// <summary>What `reactivate` writes to summary.json: the settings and one run in the same shape as reproduce's runs.</summary>
internal sealed record ReactivateSummary(
    [property: JsonPropertyName("model_path")] string ModelPath,
    [property: JsonPropertyName("model_kind")] string ModelKind,
    [property: JsonPropertyName("checkpoint_step")] int CheckpointStep,
    [property: JsonPropertyName("preset")] string Preset,
    [property: JsonPropertyName("seed")] ulong Seed,
    [property: JsonPropertyName("place_cells")] int PlaceCells,
    [property: JsonPropertyName("settings_source")] string SettingsSource,
    [property: JsonPropertyName("training_std")] float TrainingStd,
    [property: JsonPropertyName("wall_seconds")] double WallSeconds,
    [property: JsonPropertyName("isa")] string Isa,
    [property: JsonPropertyName("run")] QuiescenceRunSummary Run)
{
    /// <summary>The quiescence modifiers of the run (all at "none" for the paper's dynamics).</summary>
    [JsonPropertyName("quiescence_modifiers")]
    public ModifierSummary? Modifiers { get; init; }
}

/// <summary>One setting of the quiescence modifiers as written to JSON (<see cref="Models.DynamicsModifiers"/>).</summary>
internal sealed record ModifierSummary(
    [property: JsonPropertyName("momentum")] double Momentum,
    [property: JsonPropertyName("adaptation")] double Adaptation,
    [property: JsonPropertyName("adaptation_tau")] double AdaptationTau,
    [property: JsonPropertyName("leak")] double? Leak)
{
    public static ModifierSummary From(QuiescenceModifierOptions.Setting s) => new(s.Momentum, s.Adaptation, s.AdaptationTau, s.Leak);
}

/// <summary>
/// `noisyrnn reactivate`: loads a network saved by `reproduce` (spatial task), rebuilds its place cells and held-out batch
/// from the run's preset and seed, runs quiescence in one mode and writes the per-run metrics of reproduce, including the
/// denoising alignment and the loss decomposition (measured by the same code as reproduce, <see cref="ExperimentSetup.MeasureTheory"/>),
/// and with --out the figures of reproduce for that run (PNG and SVG). With the run's preset, seed, noise distribution and
/// training std it recomputes reproduce's numbers for that (network, mode). The quiescence modifiers (--momentum,
/// --adaptation, --adaptation-tau, --quiescent-leak; default the network's run's config) change the quiescent dynamics; a
/// comma list in any of them runs every combination on the network (<see cref="ReactivateSweep"/>).
/// </summary>
internal static class ReactivateCommand
{
    public static Command Create()
    {
        var modelPath = new Option<string>("--model") { Description = "Path to a model.nrnn written by reproduce (required).", Required = true };
        var preset = new Option<string?>("--preset") { Description = "Override: the preset of the run that trained the network (default: the settings the network carries, or its run folder's config.json)." };
        var config = new Option<string?>("--config") { Description = "Override: a config file instead of the settings the network carries." };
        var seed = new Option<ulong?>("--seed") { Description = "Override: the seed of the run (place cells, held-out batch, noise; default the network's own)." };
        var cells = new Option<int?>("--place-cells") { Description = "Number of place cells of the run (default: the checkpoint's output size; must match it)." };
        var batch = new Option<int?>("--batch") { Description = "Batch size of the run (also the number of quiescent chains)." };
        var mode = new Option<string>("--quiescence") { Description = "Quiescent noise: scaled (sqrt(2) x training std, default), same (training std) or absolute (--quiescent-std).", DefaultValueFactory = _ => "scaled" };
        var quiescentStd = new Option<float?>("--quiescent-std") { Description = "Per-step quiescent noise std for --quiescence absolute." };
        var trainingStd = new Option<float?>("--training-std") { Description = "Override: the per-step recurrent std the network was trained with (default the network's own; a different value is warned about)." };
        var distribution = new Option<NoiseDistribution?>("--noise-distribution") { Description = "Raw noise draws of the run: StandardNormal (default) or Uniform01." };
        var outDir = new Option<string?>("--out") { Description = "Output folder for summary.json and the figures (default ./runs/reactivate-<timestamp>)." };
        var noPlots = new Option<bool>("--no-plots") { Description = "With --out: skip the figures (PNG and SVG)." };
        var modifiers = new QuiescenceModifierOptions();
        var command = new Command("reactivate", "Run quiescence on a network saved by reproduce and measure reactivation: KL(quiescent || active), variance, step distances, replay dynamics " +
                                                "(figures for the spatial task); with comma lists of quiescence modifiers, a sweep over them.")
        {
            modelPath, preset, config, seed, cells, batch, mode, quiescentStd, trainingStd, distribution, outDir, noPlots,
        };
        foreach (var option in modifiers.All) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            string? createdDir = null;
            try
            {
                if (parse.GetValue(batch) is <= 0 and var nonPositive)
                    throw new ArgumentException($"--batch is {nonPositive}; expected a positive number of trajectories.", "--batch");
                // Checked before the network is loaded; the defaults come from its config, so the settings are resolved below.
                var early = modifiers.Settings(parse, NoisyRnn.Experiments.ExperimentPresets.Quick, allowLists: true);
                bool sweep = early.Count > 1;
                string? dir = parse.GetValue(outDir) ?? Path.Combine("runs", (sweep ? "reactivate-sweep-" : "reactivate-") + DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
                OutputFolder.CheckNewOrEmpty(dir, sweep ? "a sweep" : "reactivate");
                // Checked before the network is read; a folder made here is removed again if the call fails before writing into it.
                createdDir = Directory.Exists(dir) ? null : dir;
                OutputFolder.Prepare(dir);
                var saved = SavedNetwork.Load(parse.GetValue(modelPath)!, parse.GetValue(config), parse.GetValue(preset), parse.GetValue(seed),
                    parse.GetValue(trainingStd), parse.InvocationConfiguration.Error);
                float training = saved.TrainingStd;
                float? absolute = parse.GetValue(quiescentStd);
                string modeName = parse.GetValue(mode)!.ToLowerInvariant();
                QuiescentNoise quiescence = modeName switch
                {
                    "scaled" or "same" when absolute is not null => throw new ArgumentException($"--quiescent-std is only used with --quiescence absolute.", "--quiescent-std"),
                    "scaled" => QuiescentNoise.Scaled,
                    "same" => QuiescentNoise.Same,
                    "absolute" when absolute is null => throw new ArgumentException("--quiescence absolute needs --quiescent-std.", "--quiescent-std"),
                    "absolute" when !(float.IsFinite(absolute.Value) && absolute.Value >= 0) =>
                        throw new ArgumentException($"--quiescent-std is {absolute.Value.ToString(CultureInfo.InvariantCulture)}; expected a finite value >= 0.", "--quiescent-std"),
                    "absolute" => QuiescentNoise.Absolute(absolute.Value),
                    _ => throw new ArgumentException($"Unknown quiescence '{modeName}'; expected scaled, same or absolute.", "--quiescence"),
                };
                var p = saved.Config;
                if (parse.GetValue(batch) is { } b)
                {
                    if (b <= 0) throw new ArgumentException($"--batch is {b}; expected a positive number of trajectories.", "--batch");
                    p = p with { BatchSize = b };
                }
                if (parse.GetValue(distribution) is { } d) p = p with { NoiseDistribution = d };
                var checkpoint = saved.Checkpoint;
                int outputs = checkpoint.Network.NetworkOptions.OutputSize;
                int cellCount = parse.GetValue(cells) ?? outputs;
                if (cellCount != outputs)
                    throw new ArgumentException($"--place-cells is {cellCount} but the checkpoint's network has {outputs} outputs; expected the run's place-cell count.", "--place-cells");
                p = p.IsSpatial ? p with { PlaceCells = cellCount, HiddenSize = checkpoint.Network.NetworkOptions.HiddenSize }
                    : p with { HdCells = cellCount, HiddenSize = checkpoint.Network.NetworkOptions.HiddenSize };
                output.WriteLine($"Settings from {saved.Source}: preset '{p.Name}', seed {p.Seed}, training std {training.ToString("G3", CultureInfo.InvariantCulture)} ({saved.Network}).");
                var settings = modifiers.Settings(parse, p, allowLists: true);
                if (sweep)
                {
                    ReactivateSweep.Run(parse.GetValue(modelPath)!, checkpoint, p, training, quiescence, settings, output, dir, !parse.GetValue(noPlots));
                    return 0;
                }
                p = settings[0].ApplyTo(p);

                var summary = Run(parse.GetValue(modelPath)!, checkpoint, p, p.Seed, training, quiescence, output, parse.GetValue(noPlots) ? null : dir, saved.Source);
                string summaryPath = Path.Combine(dir, "summary.json");
                AtomicFile.WriteAllText(summaryPath, JsonSerializer.Serialize(summary, ExperimentJson.Options));
                output.WriteLine($"Wrote {summaryPath}.");
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException
                                          or Models.SimulationDivergedException or TrainingDivergedException)
            {
                // ArgumentException covers DegenerateDataException and a network whose sizes do not fit the task;
                // IOException covers a missing checkpoint and an --out folder that cannot be created.
                parse.InvocationConfiguration.Error.WriteLine(CliApp.ErrorLine(e.Message));
                // A folder this call created and left empty (the run failed before writing anything) is removed again.
                if (createdDir is not null && Directory.Exists(createdDir) && !Directory.EnumerateFileSystemEntries(createdDir).Any())
                    Directory.Delete(createdDir);
                return CliApp.UsageError;
            }
        });
        return command;
    }

    /// <summary>Runs the analysis; writes the figures into <paramref name="figureDir"/> unless it is null.</summary>
    private static ReactivateSummary Run(string path, CheckpointData checkpoint, ExperimentConfig p, ulong seed, float trainingStd, QuiescentNoise quiescence,
        TextWriter log, string? figureDir, string settingsSource)
    {
        var clock = Stopwatch.StartNew();
        var model = checkpoint.Network;
        var (task, taskOptions) = ExperimentSetup.CreateTask(p, seed);
        var training = ExperimentSetup.Training(p, trainingStd, seed);
        // The trainer is only used for its held-out batch and evaluation: both are fixed by the task, the seed and the
        // test batch size, as in the run that trained the network.
        var trainer = new PathIntegrationTrainer(model, task, training);
        var evaluation = trainer.Evaluate(checkpoint.Step);
        var active = ExperimentSetup.MeasureActive(model, task, trainer.TestBatch, training, p, seed);
        float std = quiescence.Resolve(trainingStd);
        var reactivation = ExperimentSetup.Reactivation(p, seed);
        log.WriteLine($"NoisyRnn reactivate: {model.Kind} network from {path} (step {checkpoint.Step}), preset '{p.Name}', seed {seed}, {p.PlaceCells} place cells, training std {trainingStd:G3}");
        log.WriteLine($"Quiescence {quiescence}: sigma_q = {std:G3} per step, {reactivation.TotalSteps} steps x {p.BatchSize} chains ...");
        if (!p.QuiescenceModifiers.IsNone) log.WriteLine($"Quiescence modifiers: {p.QuiescenceModifiers}");
        var report = PathIntegrationReactivation.Analyze(model, task, trainer.TestBatch.InitialState, p.BatchSize, active.Density, std, reactivation, p.QuiescenceModifiers);
        string network = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) ?? "network";
        // The theory checks with the network's training noise, exactly as reproduce measured them after training.
        var theory = ExperimentSetup.MeasureTheory(model, trainer.TestBatch, training, p, seed, trainingStd, network, log.WriteLine);
        string runName = $"{network}/{quiescence}";
        var run = new QuiescenceRunSummary(runName, network, trainingStd, p.Biased, quiescence.ToString(), std,
            evaluation.Loss, p.IsSpatial ? evaluation.DecodingError : null, p.IsSpatial ? evaluation.DecodingMse : null,
            report.Kl?.Value, report.Kl?.StandardError, report.KlNote,
            report.QuiescentOutputVariance, active.StepDistance, report.QuiescentStepDistance, evaluation.DecodingError, task.CoordinateUnit,
            report.MeanSignedStep, theory.Alignment?.MeanCosine, LossDecompositionSummary.From(theory.Decomposition))
        {
            Replay = report.Runaway is { RanAway: true } ? null : ExperimentSetup.MeasureReplay(task, p, seed, active.Decoded, report, log.WriteLine)?.Summary,
        };
        if (figureDir is not null && taskOptions is not null && task is Tasks.SpatialNavigationTask)
        {
            var files = new List<string>(Plotting.ReproduceFigures.Write(figureDir, taskOptions, active.Decoded, (GaussianKde)active.Density, network,
                p.BatchSize, p.SequenceLength, [(runName, report)], p.KlSteps, curves: null));
            var hidden = theory.Pca is null
                ? []
                : new List<Plotting.HiddenRun> { new(runName, network, theory.ActiveHidden, ExperimentSetup.QuiescentHidden(model, trainer.TestBatch.InitialState, std, p, seed), theory.Pca) };
            files.AddRange(Plotting.TheoryFigures.Write(figureDir, [(network, theory.Pca, theory.Decomposition)], hidden));
            foreach (string f in files) log.WriteLine($"  figure: {Path.GetRelativePath(figureDir, f)} (+ .svg)");
        }
        static string F(double? v, string format) => v is { } x && double.IsFinite(x) ? x.ToString(format, CultureInfo.InvariantCulture) : "n/a";
        log.WriteLine($"  test loss {F(run.TestLoss, "E2")}, position error {F(run.PositionErrorM, "F3")} m");
        log.WriteLine($"  KL(quiescent || active) {F(run.KlQuiescentToActive, "F3")} ± {F(run.KlStandardError, "F3")} nats, variance {F(run.QuiescentOutputVariance, "F4")} m^2, " +
                      $"step active {F(run.ActiveStepDistance, "F4")} m, quiescent {F(run.QuiescentStepDistance, "F4")} m");
        return new ReactivateSummary(Path.GetFullPath(path), model.Kind, checkpoint.Step, p.Name, seed, p.IsSpatial ? p.PlaceCells : p.HdCells, settingsSource, trainingStd,
            clock.Elapsed.TotalSeconds, Kernels.Isa.Tier.ToString(), run)
        {
            Modifiers = new ModifierSummary(p.QuiescentMomentum, p.QuiescentAdaptation, p.QuiescentAdaptationTau, p.QuiescentLeak),
        };
    }
}
