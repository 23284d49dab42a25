using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using NoisyRnn.Analysis;
using NoisyRnn.Experiments;
using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Tasks;
using NoisyRnn.Training;

namespace NoisyRnn.Cli.Commands;

/// <summary>What `replay` writes to summary.json.</summary>
internal sealed record ReplaySummary(
    [property: JsonPropertyName("model_path")] string ModelPath,
    [property: JsonPropertyName("model_kind")] string ModelKind,
    [property: JsonPropertyName("checkpoint_step")] int CheckpointStep,
    [property: JsonPropertyName("trajectories")] string Trajectories,
    [property: JsonPropertyName("task")] string Task,
    [property: JsonPropertyName("preset")] string Preset,
    [property: JsonPropertyName("seed")] ulong Seed,
    [property: JsonPropertyName("segments")] int Segments,
    [property: JsonPropertyName("windows")] int Windows,
    [property: JsonPropertyName("window_steps")] int WindowSteps,
    [property: JsonPropertyName("dt_s")] double DtSeconds,
    [property: JsonPropertyName("training_std")] float TrainingStd,
    [property: JsonPropertyName("decoding_error")] double DecodingError,
    [property: JsonPropertyName("decoding_mse")] double DecodingMse,
    [property: JsonPropertyName("decoding_unit")] string DecodingUnit,
    [property: JsonPropertyName("recorded_step_distance")] double RecordedStepDistance,
    [property: JsonPropertyName("active_step_distance")] double ActiveStepDistance,
    [property: JsonPropertyName("quiescence_mode")] string QuiescenceMode,
    [property: JsonPropertyName("quiescent_noise_std")] float QuiescentNoiseStd,
    [property: JsonPropertyName("quiescent_chains")] int QuiescentChains,
    [property: JsonPropertyName("quiescent_steps")] int QuiescentSteps,
    [property: JsonPropertyName("kl_quiescent_to_active")] double? KlQuiescentToActive,
    [property: JsonPropertyName("kl_standard_error")] double? KlStandardError,
    [property: JsonPropertyName("kl_note")] string? KlNote,
    [property: JsonPropertyName("kl_uniform_to_active")] double KlUniformToActive,
    [property: JsonPropertyName("quiescent_output_variance")] double QuiescentOutputVariance,
    [property: JsonPropertyName("quiescent_step_distance")] double QuiescentStepDistance,
    [property: JsonPropertyName("quiescent_mean_signed_step")] double? QuiescentMeanSignedStep,
    [property: JsonPropertyName("figures")] IReadOnlyList<string> Figures,
    [property: JsonPropertyName("wall_seconds")] double WallSeconds,
    [property: JsonPropertyName("isa")] string Isa);

/// <summary>
/// `noisyrnn replay`: runs a network saved by `reproduce` on a user's recorded trajectories (CSV t,x,y or t,heading; see
/// <see cref="RecordedTrajectories"/>) as its active input, then in quiescence from the recording's start states, and
/// measures how well it tracked the recording and how its quiescent outputs compare with its active ones.
/// </summary>
internal static class ReplayCommand
{
    public static Command Create()
    {
        var modelPath = new Option<string>("--model") { Description = "Path to a model.nrnn written by reproduce (required).", Required = true };
        var trajectories = new Option<string>("--trajectories") { Description = "CSV recording: header t,x,y (s, m; box centred on 0) or t,heading (s, rad) (required).", Required = true };
        var preset = new Option<string?>("--preset") { Description = "Preset of the run that trained the network (default: the config.json beside the model's folder, else quick)." };
        var config = new Option<string?>("--config") { Description = "The run's config.json (default: <model folder>/../config.json when it exists)." };
        var seed = new Option<ulong?>("--seed") { Description = "Seed of the run that trained the network (its place-cell centres; default the config's)." };
        var window = new Option<int?>("--window-steps") { Description = "Steps per replayed window (default: the run's sequence length). Each window starts from the recorded state." };
        var mode = new Option<string>("--quiescence") { Description = "Quiescent noise: scaled (sqrt(2) x training std, default), same (training std) or absolute (--quiescent-std).", DefaultValueFactory = _ => "scaled" };
        var quiescentStd = new Option<float?>("--quiescent-std") { Description = "Per-step quiescent noise std for --quiescence absolute." };
        var trainingStd = new Option<float?>("--training-std") { Description = "Per-step recurrent std the network was trained with (default: the config's noise_std for a noise-trained/ folder, 0 for noise-free/); also the noise of the active run." };
        var interpolate = new Option<bool>("--interpolate-missing") { Description = "Interpolate across empty or NaN values instead of rejecting them." };
        var maxGap = new Option<double?>("--max-gap") { Description = "Longest gap (s) bridged by interpolation; longer gaps split the recording (default 0.5)." };
        var outDir = new Option<string?>("--out") { Description = "Output folder for summary.json and the figures (default ./runs/replay-<timestamp>)." };
        var noPlots = new Option<bool>("--no-plots") { Description = "Skip the PNG figures." };
        var command = new Command("replay", "Run a trained network on recorded trajectories (active), then in quiescence, and measure decoding error and reactivation.")
        {
            modelPath, trajectories, preset, config, seed, window, mode, quiescentStd, trainingStd, interpolate, maxGap, outDir, noPlots,
        };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            try
            {
                string path = parse.GetValue(modelPath)!;
                if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("--model is empty; expected the path of a model.nrnn.", "--model");
                if (!File.Exists(path)) throw new ArgumentException($"--model '{path}' does not exist; expected a model.nrnn written by reproduce.", "--model");
                string csv = parse.GetValue(trajectories)!;
                if (string.IsNullOrWhiteSpace(csv)) throw new ArgumentException("--trajectories is empty; expected the path of a CSV recording.", "--trajectories");
                if (!File.Exists(csv)) throw new ArgumentException($"--trajectories '{csv}' does not exist; expected a CSV file with header t,x,y or t,heading.", "--trajectories");
                string dir = parse.GetValue(outDir) ?? Path.Combine("runs", "replay-" + DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
                OutputFolder.Prepare(dir);

                // The run's settings: the network's own context (or its run folder's config.json), with --config, --preset,
                // --seed and --training-std as announced overrides.
                var saved = SavedNetwork.Load(path, parse.GetValue(config), parse.GetValue(preset), parse.GetValue(seed), parse.GetValue(trainingStd),
                    parse.InvocationConfiguration.Error);
                var p = saved.Config;
                if (parse.GetValue(window) is { } ws)
                {
                    // The step-distance metrics compare consecutive states: a window needs at least two steps.
                    if (ws < 2) throw new ArgumentException($"--window-steps is {ws}; expected at least 2 steps.", "--window-steps");
                    p = p with { SequenceLength = ws };
                }
                float? training = saved.TrainingStd;
                QuiescentNoise quiescence = ParseQuiescence(parse.GetValue(mode)!, training, parse.GetValue(quiescentStd));
                double? gap = parse.GetValue(maxGap);
                if (gap is { } g && !(g > 0 && double.IsFinite(g))) throw new ArgumentException($"--max-gap is {g.ToString(CultureInfo.InvariantCulture)}; expected a finite time > 0 s.", "--max-gap");

                var checkpoint = saved.Checkpoint;
                var summary = Run(path, checkpoint, csv, p, training ?? 0f, quiescence, parse.GetValue(interpolate), gap, dir, !parse.GetValue(noPlots), output);
                output.WriteLine($"Wrote {Path.Combine(dir, "summary.json")} ({summary.WallSeconds:F1} s).");
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or InvalidOperationException or IOException or UnauthorizedAccessException
                                          or SimulationDivergedException)
            {
                // InvalidOperationException: a recording too short for one window, or a recording of the other kind.
                parse.InvocationConfiguration.Error.WriteLine(CliApp.ErrorLine(e.Message));
                return CliApp.UsageError;
            }
        });
        return command;
    }

    private static QuiescentNoise ParseQuiescence(string mode, float? training, float? absolute) => mode.ToLowerInvariant() switch
    {
        "scaled" or "same" when training is null => throw new ArgumentException($"--quiescence {mode} needs --training-std (the network's per-step training std): the model is not in a noise-trained/ or noise-free/ folder of a reproduce run.", "--training-std"),
        "scaled" or "same" when absolute is not null => throw new ArgumentException("--quiescent-std is only used with --quiescence absolute.", "--quiescent-std"),
        "scaled" => QuiescentNoise.Scaled,
        "same" => QuiescentNoise.Same,
        "absolute" when absolute is null => throw new ArgumentException("--quiescence absolute needs --quiescent-std.", "--quiescent-std"),
        "absolute" when !(float.IsFinite(absolute.Value) && absolute.Value >= 0) =>
            throw new ArgumentException($"--quiescent-std is {absolute.Value.ToString(CultureInfo.InvariantCulture)}; expected a finite value >= 0.", "--quiescent-std"),
        "absolute" => QuiescentNoise.Absolute(absolute.Value),
        _ => throw new ArgumentException($"Unknown quiescence '{mode}'; expected scaled, same or absolute.", "--quiescence"),
    };

    private static ReplaySummary Run(string path, CheckpointData checkpoint, string csv, ExperimentConfig p, float trainingStd, QuiescentNoise quiescence,
        bool interpolate, double? maxGap, string dir, bool plots, TextWriter log)
    {
        var clock = Stopwatch.StartNew();
        IRecurrentNetwork model = checkpoint.Network;
        // The kind of the recording (its header; the library checks it in full) decides the task; the network's sizes come
        // from the checkpoint.
        bool spatial = File.ReadLines(csv).FirstOrDefault(l => l.Trim().Length > 0)?.Contains("heading", StringComparison.OrdinalIgnoreCase) != true;
        if (!spatial && p.IsSpatial) p = p.ForHeadDirection();
        if (spatial && !p.IsSpatial) p = p with { Task = "spatial" };
        int outputs = model.NetworkOptions.OutputSize;
        p = spatial ? p with { PlaceCells = outputs } : p with { HdCells = outputs };
        p = p with { HiddenSize = model.NetworkOptions.HiddenSize };
        p.Validate();
        var (task, taskOptions) = ExperimentSetup.CreateTask(p, p.Seed);
        // Resample at the task's step and check the box against the task's.
        double dt = task is SpatialNavigationTask s ? s.Options.Dt : ((HeadDirectionTask)task).Options.Dt;
        var recordingOptions = new RecordedTrajectoryOptions
        {
            Dt = dt, BoxWidth = taskOptions.BoxWidth, BoxHeight = taskOptions.BoxHeight, InterpolateMissing = interpolate,
            MaxGap = maxGap ?? new RecordedTrajectoryOptions().MaxGap,
        };
        RecordedTrajectories recording;
        try
        {
            recording = RecordedTrajectories.Load(csv, recordingOptions);
        }
        catch (InvalidDataException e)
        {
            // The library's messages name the line ("line 7: t = 'abc' is not a number."); add the file.
            throw new InvalidDataException($"{csv}: {e.Message}", e);
        }
        // After loading, so that an empty file or a wrong header is reported as such rather than as a network of the other kind.
        if (model.NetworkOptions.InputSize != task.InputSize)
            throw new ArgumentException($"the network takes {model.NetworkOptions.InputSize} input(s) per step but a {(spatial ? "position (t,x,y)" : "heading (t,heading)")} recording gives {task.InputSize}; " +
                                        $"expected a network trained on the {(spatial ? "spatial" : "head-direction")} task.", "--trajectories");
        IPathIntegrationBatch batch = task switch
        {
            SpatialNavigationTask st => recording.CreateBatch(st),
            HeadDirectionTask ht => recording.CreateBatch(ht),
            _ => throw new InvalidOperationException("unknown task"),
        };
        int windows = batch.BatchSize, steps = batch.TimeSteps;
        // All windows run as one batch: its hidden states must fit in one array too (the targets were checked by CreateBatch).
        long states = (long)windows * steps * model.NetworkOptions.HiddenSize;
        if (states > Array.MaxLength)
            throw new InvalidOperationException($"The recording gives {windows} windows of {steps} steps; with {model.NetworkOptions.HiddenSize} hidden units their states are {states} values, " +
                                                $"more than one array holds ({Array.MaxLength}); replay a shorter recording or split it.");
        log.WriteLine($"NoisyRnn replay: {model.Kind} network from {path} (step {checkpoint.Step}), {p.Task} task, seed {p.Seed}, training std {trainingStd:G3}");
        log.WriteLine($"  recording {csv}: {recording.SegmentCount} segment(s), {windows} window(s) of {steps} steps at {dt} s");

        float[] active;
        try
        {
            active = PathIntegrationReactivation.DecodeActive(model, task, batch, NoiseLevels.Recurrent(trainingStd), ExperimentSetup.ActiveNoiseSeed(p.Seed), p.NoiseDistribution);
        }
        catch (ArgumentException e) when (e.ParamName == "activations")
        {
            // The decoder refuses non-finite outputs: the active run's noise (the training std) made the network overflow.
            throw new ArgumentException($"the network's outputs on the recording are not finite with --training-std {trainingStd.ToString(CultureInfo.InvariantCulture)} " +
                                        "(the active run's per-step noise); expected the std the network was trained with.", "--training-std", e);
        }
        var (error, mse) = task.DecodingErrors(active, batch.Coordinates);
        double activeStep = PathIntegrationReactivation.MeanStepDistance(task, active, windows, steps);
        double recordedStep = PathIntegrationReactivation.MeanStepDistance(task, batch.Coordinates, windows, steps);
        string unit = task.CoordinateUnit;
        log.WriteLine($"  active: decoding error {error:F3} {unit} (MSE {mse:F4} {unit}^2), step {activeStep:F4} {unit} (recorded {recordedStep:F4} {unit})");

        GaussianKde density = PathIntegrationReactivation.Density(task, active);
        var reactivation = ExperimentSetup.Reactivation(p, p.Seed);
        var uniform = task is SpatialNavigationTask sp
            ? KlDivergence.UniformToKde(sp.Options.BoxWidth, sp.Options.BoxHeight, density, p.KlSamples, SeedSequence.Salt(p.Seed, 11))
            : KlDivergence.UniformIntervalToKde(-Math.PI, Math.PI, density, p.KlSamples, SeedSequence.Salt(p.Seed, 11));
        float std = quiescence.Resolve(trainingStd);
        log.WriteLine($"Quiescence {quiescence}: sigma_q = {std:G3} per step, {reactivation.TotalSteps} steps x {windows} chains (one per window) ...");
        var report = PathIntegrationReactivation.Analyze(model, task, batch.InitialState, windows, density, std, reactivation);
        static string F(double? v, string format) => v is { } x && double.IsFinite(x) ? x.ToString(format, CultureInfo.InvariantCulture) : "n/a";
        log.WriteLine($"  KL(quiescent || active) {F(report.Kl?.Value, "F3")} ± {F(report.Kl?.StandardError, "F3")} nats (uniform: {uniform.Value:F3}), " +
                      $"variance {report.QuiescentOutputVariance:G3} {unit}^2, step {report.QuiescentStepDistance:F4} {unit}{(report.KlNote is null ? "" : "; " + report.KlNote)}");

        Directory.CreateDirectory(dir);
        var figures = new List<string>();
        if (plots)
        {
            figures.Add(spatial
                ? Plotting.ReplayFigures.Positions(Path.Combine(dir, "replay.png"), taskOptions, batch.Coordinates, active, windows, steps, report)
                : Plotting.ReplayFigures.Headings(Path.Combine(dir, "replay.png"), dt, batch.Coordinates, active, windows, steps, report));
            foreach (var f in figures) log.WriteLine($"  figure: {Path.GetRelativePath(dir, f)}");
        }
        var summary = new ReplaySummary(Path.GetFullPath(path), model.Kind, checkpoint.Step, Path.GetFullPath(csv), p.Task, p.Name, p.Seed,
            recording.SegmentCount, windows, steps, dt, trainingStd, error, mse, unit, recordedStep, activeStep, quiescence.ToString(), std,
            windows, report.Steps, report.Kl?.Value, report.Kl?.StandardError, report.KlNote, uniform.Value, report.QuiescentOutputVariance,
            report.QuiescentStepDistance, report.MeanSignedStep, figures.Select(f => Path.GetRelativePath(dir, f)).ToList(),
            clock.Elapsed.TotalSeconds, Kernels.Isa.Tier.ToString());
        AtomicFile.WriteAllText(Path.Combine(dir, "summary.json"), JsonSerializer.Serialize(summary, ExperimentJson.Options));
        return summary;
    }
}
