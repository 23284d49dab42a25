using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using NoisyRnn.Analysis;
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
    [property: JsonPropertyName("training_std")] float TrainingStd,
    [property: JsonPropertyName("wall_seconds")] double WallSeconds,
    [property: JsonPropertyName("isa")] string Isa,
    [property: JsonPropertyName("run")] RunSummary Run);

/// <summary>
/// `noisyrnn reactivate`: loads a network saved by `reproduce` (spatial task), rebuilds its place cells and held-out batch
/// from the run's preset and seed, runs quiescence in one mode and writes the per-run metrics of reproduce, including the
/// denoising alignment and the loss decomposition (measured by the same code as reproduce, <see cref="RunSetup.MeasureTheory"/>),
/// and with --out the figures of reproduce for that run (PNG and SVG). With the run's preset, seed, noise distribution and
/// training std it recomputes reproduce's numbers for that (network, mode).
/// </summary>
internal static class ReactivateCommand
{
    public static Command Create()
    {
        var modelPath = new Option<string>("--model") { Description = "Path to a model.nrnn written by reproduce (required).", Required = true };
        var preset = new Option<string?>("--preset") { Description = "Preset of the run that trained the network (sequence length, batch, quiescence lengths): quick (default), paper, smoke or a paper-* preset." };
        var config = new Option<string?>("--config") { Description = "The run's config.json instead of --preset (its seed and noise distribution too, unless --seed or --noise-distribution is given)." };
        var seed = new Option<ulong?>("--seed") { Description = "Seed of the run that trained the network (place cells, held-out batch, noise; default 0 or the config's)." };
        var cells = new Option<int?>("--place-cells") { Description = "Number of place cells of the run (default: the checkpoint's output size; must match it)." };
        var batch = new Option<int?>("--batch") { Description = "Batch size of the run (also the number of quiescent chains)." };
        var mode = new Option<string>("--quiescence") { Description = "Quiescent noise: scaled (sqrt(2) x training std, default), same (training std) or absolute (--quiescent-std).", DefaultValueFactory = _ => "scaled" };
        var quiescentStd = new Option<float?>("--quiescent-std") { Description = "Per-step quiescent noise std for --quiescence absolute." };
        var trainingStd = new Option<float?>("--training-std") { Description = "Per-step recurrent std the network was trained with (reproduce: 0.01 noise-trained, 0 noise-free); required for scaled and same, 0 by default for absolute." };
        var distribution = new Option<NoiseDistribution?>("--noise-distribution") { Description = "Raw noise draws of the run: StandardNormal (default) or Uniform01." };
        var outDir = new Option<string?>("--out") { Description = "Output folder for summary.json and the figures (default: print only)." };
        var noPlots = new Option<bool>("--no-plots") { Description = "With --out: skip the figures (PNG and SVG)." };
        var command = new Command("reactivate", "Run quiescence on a network saved by reproduce (spatial task) and measure reactivation: KL(quiescent || active), variance, step distances.")
        {
            modelPath, preset, config, seed, cells, batch, mode, quiescentStd, trainingStd, distribution, outDir, noPlots,
        };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            try
            {
                string path = parse.GetValue(modelPath)!;
                if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("--model is empty; expected the path of a model.nrnn.", "--model");
                string? dir = parse.GetValue(outDir);
                if (dir is not null) OutputFolder.Prepare(dir);
                float? training = parse.GetValue(trainingStd);
                if (training is { } ts && !(float.IsFinite(ts) && ts >= 0))
                    throw new ArgumentException($"--training-std is {ts.ToString(CultureInfo.InvariantCulture)}; expected a finite value >= 0.", "--training-std");
                float? absolute = parse.GetValue(quiescentStd);
                string modeName = parse.GetValue(mode)!.ToLowerInvariant();
                QuiescentNoise quiescence = modeName switch
                {
                    "scaled" or "same" when training is null => throw new ArgumentException($"--quiescence {modeName} needs --training-std (the network's per-step training std).", "--training-std"),
                    "scaled" or "same" when absolute is not null => throw new ArgumentException($"--quiescent-std is only used with --quiescence absolute.", "--quiescent-std"),
                    "scaled" => QuiescentNoise.Scaled,
                    "same" => QuiescentNoise.Same,
                    "absolute" when absolute is null => throw new ArgumentException("--quiescence absolute needs --quiescent-std.", "--quiescent-std"),
                    "absolute" when !(float.IsFinite(absolute.Value) && absolute.Value >= 0) =>
                        throw new ArgumentException($"--quiescent-std is {absolute.Value.ToString(CultureInfo.InvariantCulture)}; expected a finite value >= 0.", "--quiescent-std"),
                    "absolute" => QuiescentNoise.Absolute(absolute.Value),
                    _ => throw new ArgumentException($"Unknown quiescence '{modeName}'; expected scaled, same or absolute.", "--quiescence"),
                };

                string? configPath = parse.GetValue(config);
                string? presetName = parse.GetValue(preset);
                if (configPath is not null && presetName is not null) throw new ArgumentException("--config and --preset both given; expected one of them.", "--config");
                var p = configPath is not null ? ReproduceConfig.Load(configPath) : ReproducePreset.Find(presetName ?? "quick");
                if (parse.GetValue(seed) is { } sd) p = p with { Seed = sd };
                if (!p.IsSpatial) throw new ArgumentException($"reactivate supports the spatial task only; the run's task is {p.Task}.", "--config");
                if (parse.GetValue(batch) is { } b)
                {
                    if (b <= 0) throw new ArgumentException($"--batch is {b}; expected a positive number of trajectories.", "--batch");
                    p = p with { BatchSize = b };
                }
                if (parse.GetValue(distribution) is { } d) p = p with { NoiseDistribution = d };
                var checkpoint = Checkpoint.Load(path);
                int outputs = checkpoint.Network.NetworkOptions.OutputSize;
                int placeCells = parse.GetValue(cells) ?? outputs;
                if (placeCells != outputs)
                    throw new ArgumentException($"--place-cells is {placeCells} but the checkpoint's network has {outputs} outputs; expected the run's place-cell count.", "--place-cells");
                p = p with { PlaceCells = placeCells, HiddenSize = checkpoint.Network.NetworkOptions.HiddenSize };

                if (dir is not null) Directory.CreateDirectory(dir);
                var summary = Run(path, checkpoint, p, p.Seed, training ?? 0f, quiescence, output, parse.GetValue(noPlots) ? null : dir);
                if (dir is not null)
                {
                    string summaryPath = Path.Combine(dir, "summary.json");
                    AtomicFile.WriteAllText(summaryPath, JsonSerializer.Serialize(summary, ReproduceRunner.JsonOptions));
                    output.WriteLine($"Wrote {summaryPath}.");
                }
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException
                                          or Models.SimulationDivergedException or TrainingDivergedException)
            {
                // ArgumentException covers DegenerateDataException and a network whose sizes do not fit the task;
                // IOException covers a missing checkpoint and an --out folder that cannot be created.
                parse.InvocationConfiguration.Error.WriteLine(CliApp.ErrorLine(e.Message));
                return CliApp.UsageError;
            }
        });
        return command;
    }

    /// <summary>Runs the analysis; writes the figures into <paramref name="figureDir"/> unless it is null.</summary>
    private static ReactivateSummary Run(string path, CheckpointData checkpoint, ReproducePreset p, ulong seed, float trainingStd, QuiescentNoise quiescence,
        TextWriter log, string? figureDir)
    {
        var clock = Stopwatch.StartNew();
        var model = checkpoint.Network;
        var (task, taskOptions) = RunSetup.CreateTask(p, seed);
        var training = RunSetup.Training(p, trainingStd, seed);
        // The trainer is only used for its held-out batch and evaluation: both are fixed by the task, the seed and the
        // test batch size, as in the run that trained the network.
        var trainer = new PathIntegrationTrainer(model, task, training);
        var evaluation = trainer.Evaluate(checkpoint.Step);
        var active = RunSetup.MeasureActive(model, task, trainer.TestBatch, training, p, seed);
        float std = quiescence.Resolve(trainingStd);
        var reactivation = RunSetup.Reactivation(p, seed);
        log.WriteLine($"NoisyRnn reactivate: {model.Kind} network from {path} (step {checkpoint.Step}), preset '{p.Name}', seed {seed}, {p.PlaceCells} place cells, training std {trainingStd:G3}");
        log.WriteLine($"Quiescence {quiescence}: sigma_q = {std:G3} per step, {reactivation.TotalSteps} steps x {p.BatchSize} chains ...");
        var report = PathIntegrationReactivation.Analyze(model, task, trainer.TestBatch.InitialState, p.BatchSize, active.Density, std, reactivation);
        string network = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) ?? "network";
        // The theory checks with the network's training noise, exactly as reproduce measured them after training.
        var theory = RunSetup.MeasureTheory(model, trainer.TestBatch, training, p, seed, trainingStd, network, log);
        string runName = $"{network}/{quiescence}";
        var run = new RunSummary(runName, network, trainingStd, p.Biased, quiescence.ToString(), std,
            evaluation.Loss, evaluation.DecodingError, evaluation.DecodingMse,
            report.Kl?.Value, report.Kl?.StandardError, report.KlNote,
            report.QuiescentOutputVariance, active.StepDistance, report.QuiescentStepDistance, evaluation.DecodingError, task.CoordinateUnit,
            report.MeanSignedStep, theory.Alignment?.MeanCosine, LossDecompositionSummary.From(theory.Decomposition));
        if (figureDir is not null)
        {
            var files = new List<string>(Plotting.ReproduceFigures.Write(figureDir, taskOptions, active.Decoded, active.Density, network,
                p.BatchSize, p.SequenceLength, [(runName, report)], p.KlSteps, curves: null));
            var hidden = theory.Pca is null
                ? []
                : new List<Plotting.HiddenRun> { new(runName, network, theory.ActiveHidden, RunSetup.QuiescentHidden(model, trainer.TestBatch.InitialState, std, p, seed), theory.Pca) };
            files.AddRange(Plotting.TheoryFigures.Write(figureDir, [(network, theory.Pca, theory.Decomposition)], hidden));
            foreach (string f in files) log.WriteLine($"  figure: {Path.GetRelativePath(figureDir, f)} (+ .svg)");
        }
        static string F(double? v, string format) => v is { } x && double.IsFinite(x) ? x.ToString(format, CultureInfo.InvariantCulture) : "n/a";
        log.WriteLine($"  test loss {F(run.TestLoss, "E2")}, position error {F(run.PositionErrorM, "F3")} m");
        log.WriteLine($"  KL(quiescent || active) {F(run.KlQuiescentToActive, "F3")} ± {F(run.KlStandardError, "F3")} nats, variance {F(run.QuiescentOutputVariance, "F4")} m^2, " +
                      $"step active {F(run.ActiveStepDistance, "F4")} m, quiescent {F(run.QuiescentStepDistance, "F4")} m");
        return new ReactivateSummary(Path.GetFullPath(path), model.Kind, checkpoint.Step, p.Name, seed, p.PlaceCells, trainingStd,
            clock.Elapsed.TotalSeconds, Kernels.Isa.Tier.ToString(), run);
    }
}
