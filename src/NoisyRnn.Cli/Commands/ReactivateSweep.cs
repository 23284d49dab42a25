using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using NoisyRnn.Analysis;
using NoisyRnn.Experiments;
using NoisyRnn.Noise;
using NoisyRnn.Training;

namespace NoisyRnn.Cli.Commands;

/// <summary>The waking side of a sweep: the held-out batch's decoded paths.</summary>
internal sealed record SweepActive(
    [property: JsonPropertyName("speed")] double Speed,
    [property: JsonPropertyName("diffusion_exponent")] double? DiffusionExponent,
    [property: JsonPropertyName("step_distance")] double StepDistance,
    [property: JsonPropertyName("msd_lags_s")] double[] MsdLagsSeconds,
    [property: JsonPropertyName("msd")] double[] Msd);

/// <summary>One modifier setting of a sweep: the reactivation and replay metrics of its quiescent run (null when the run
/// diverged or ran away, with the reason in <paramref name="Note"/>).</summary>
internal sealed record SweepRow(
    [property: JsonPropertyName("momentum")] double Momentum,
    [property: JsonPropertyName("adaptation")] double Adaptation,
    [property: JsonPropertyName("adaptation_tau")] double AdaptationTau,
    [property: JsonPropertyName("leak")] double? Leak,
    [property: JsonPropertyName("kl_quiescent_to_active")] double? Kl,
    [property: JsonPropertyName("kl_standard_error")] double? KlStandardError,
    [property: JsonPropertyName("speed_ratio")] double? SpeedRatio,
    [property: JsonPropertyName("speed_ratio_lag10")] double? SpeedRatioLag10,
    [property: JsonPropertyName("diffusion_exponent")] double? DiffusionExponent,
    [property: JsonPropertyName("diffusion_exponent_stderr")] double? DiffusionExponentStandardError,
    [property: JsonPropertyName("wasserstein2")] double? Wasserstein2,
    [property: JsonPropertyName("wasserstein2_floor")] double? Wasserstein2Floor,
    [property: JsonPropertyName("quiescent_output_variance")] double? Variance,
    [property: JsonPropertyName("quiescent_step_distance")] double? StepDistance,
    [property: JsonPropertyName("coverage_time_s")] double? CoverageTimeSeconds,
    [property: JsonPropertyName("final_coverage")] double? FinalCoverage,
    [property: JsonPropertyName("msd_lags_s")] double[]? MsdLagsSeconds,
    [property: JsonPropertyName("msd")] double[]? Msd,
    [property: JsonPropertyName("note")] string? Note,
    [property: JsonPropertyName("seconds")] double Seconds)
{
    [JsonIgnore]
    public QuiescenceModifierOptions.Setting Setting => new(Momentum, Adaptation, AdaptationTau, Leak);
}

/// <summary>What a sweep writes to sweep.json.</summary>
internal sealed record SweepSummary(
    [property: JsonPropertyName("model_path")] string ModelPath,
    [property: JsonPropertyName("model_kind")] string ModelKind,
    [property: JsonPropertyName("checkpoint_step")] int CheckpointStep,
    [property: JsonPropertyName("preset")] string Preset,
    [property: JsonPropertyName("seed")] ulong Seed,
    [property: JsonPropertyName("training_std")] float TrainingStd,
    [property: JsonPropertyName("quiescence_mode")] string QuiescenceMode,
    [property: JsonPropertyName("quiescent_noise_std")] float QuiescentNoiseStd,
    [property: JsonPropertyName("chains")] int Chains,
    [property: JsonPropertyName("quiescent_steps")] int QuiescentSteps,
    [property: JsonPropertyName("replay_window_steps")] int? ReplayWindowSteps,
    [property: JsonPropertyName("unit")] string Unit,
    [property: JsonPropertyName("wall_seconds")] double WallSeconds,
    [property: JsonPropertyName("isa")] string Isa,
    [property: JsonPropertyName("active")] SweepActive? Active,
    [property: JsonPropertyName("settings")] IReadOnlyList<SweepRow> Settings);

/// <summary>
/// `reactivate` with comma lists of quiescence modifiers (issue 16 item 4): every combination is run on the one network with
/// the same start states and the same noise draws (common random numbers), and measured with the library's measures: KL(quiescent
/// ‖ active), the replay metrics of <see cref="ExperimentSetup.MeasureReplay"/> (speed ratio = compression factor, MSD exponent,
/// W2 occupancy distance, coverage), variance and step distance. Writes sweep.json, sweep.md and, for the spatial task with
/// figures on, sweep_&lt;modifier&gt;.png per swept modifier and msd.png (<see cref="Plotting.SweepFigures"/>).
/// </summary>
internal static class ReactivateSweep
{
    public const string JsonFile = "sweep.json";
    public const string MarkdownFile = "sweep.md";

    public static SweepSummary Run(string path, CheckpointData checkpoint, ExperimentConfig p, float trainingStd, QuiescentNoise quiescence,
        IReadOnlyList<QuiescenceModifierOptions.Setting> settings, TextWriter log, string dir, bool plots)
    {
        var clock = Stopwatch.StartNew();
        var model = checkpoint.Network;
        ulong seed = p.Seed;
        var (task, taskOptions) = ExperimentSetup.CreateTask(p, seed);
        var training = ExperimentSetup.Training(p, trainingStd, seed);
        var trainer = new PathIntegrationTrainer(model, task, training);
        var active = ExperimentSetup.MeasureActive(model, task, trainer.TestBatch, training, p, seed);
        float std = quiescence.Resolve(trainingStd);
        var reactivation = ExperimentSetup.Reactivation(p, seed);
        log.WriteLine($"NoisyRnn reactivate sweep: {model.Kind} network from {path} (step {checkpoint.Step}), preset '{p.Name}', seed {seed}; " +
                      $"quiescence {quiescence}: sigma_q = {std:G3} per step, {reactivation.TotalSteps} steps x {p.BatchSize} chains; {settings.Count} settings");

        var rows = new List<SweepRow>();
        SweepActive? waking = null;
        int? window = null;
        for (int i = 0; i < settings.Count; i++)
        {
            var setting = settings[i];
            var modifiers = setting.Modifiers;
            var t = Stopwatch.StartNew();
            log.WriteLine($"[{i + 1}/{settings.Count}] modifiers: {modifiers}");
            QuiescentReport report;
            try
            {
                report = PathIntegrationReactivation.Analyze(model, task, trainer.TestBatch.InitialState, p.BatchSize, active.Density, std, reactivation, modifiers);
            }
            catch (Models.SimulationDivergedException e)
            {
                log.WriteLine("  " + e.Message);
                rows.Add(Empty(setting, "diverged: " + e.Message, t.Elapsed.TotalSeconds));
                continue;
            }
            if (report.Runaway is { RanAway: true } ran)
            {
                log.WriteLine("  " + ran.Describe());
                rows.Add(Empty(setting, ran.Describe(), t.Elapsed.TotalSeconds) with { Variance = report.QuiescentOutputVariance, StepDistance = report.QuiescentStepDistance });
                continue;
            }
            var replay = ExperimentSetup.MeasureReplay(task, p, seed, active.Decoded, report, log.WriteLine);
            if (replay is not null)
            {
                window = replay.Summary.WindowSteps;
                waking ??= new SweepActive(replay.Active.Speed, replay.Active.DiffusionExponent, active.StepDistance, replay.Active.Diffusion.LagsSeconds, replay.Active.Diffusion.Msd);
            }
            var r = replay?.Summary;
            rows.Add(new SweepRow(setting.Momentum, setting.Adaptation, setting.AdaptationTau, setting.Leak, report.Kl?.Value, report.Kl?.StandardError,
                r?.SpeedRatio, r?.SpeedRatioLag10, r?.DiffusionExponent, r?.DiffusionExponentStderr, r?.Wasserstein2, r?.Wasserstein2Floor,
                report.QuiescentOutputVariance, report.QuiescentStepDistance, r?.CoverageTimeSeconds, r?.FinalCoverage,
                replay?.Quiescent.Diffusion.LagsSeconds, replay?.Quiescent.Diffusion.Msd, report.KlNote, t.Elapsed.TotalSeconds));
            log.WriteLine($"  KL(quiescent || active) {F(report.Kl?.Value, "F3")} nats, variance {F(report.QuiescentOutputVariance, "G3")}, " +
                          $"step {F(report.QuiescentStepDistance, "G3")} {task.CoordinateUnit} ({t.Elapsed.TotalSeconds:F1} s)");
        }

        var summary = new SweepSummary(Path.GetFullPath(path), model.Kind, checkpoint.Step, p.Name, seed, trainingStd, quiescence.ToString(), std,
            p.BatchSize, reactivation.TotalSteps, window, task.CoordinateUnit, clock.Elapsed.TotalSeconds, Kernels.Isa.Tier.ToString(), waking, rows);
        string jsonPath = Path.Combine(dir, JsonFile), mdPath = Path.Combine(dir, MarkdownFile);
        AtomicFile.WriteAllText(jsonPath, JsonSerializer.Serialize(summary, ExperimentJson.Options));
        string table = Markdown(summary);
        AtomicFile.WriteAllText(mdPath, table);
        log.WriteLine();
        log.Write(table);
        log.WriteLine($"Wrote {jsonPath} and {mdPath}.");
        if (plots && taskOptions is not null && task is Tasks.SpatialNavigationTask)
            foreach (string f in Plotting.SweepFigures.Write(dir, summary)) log.WriteLine($"  figure: {Path.GetRelativePath(dir, f)} (+ .svg)");
        return summary;
    }

    private static SweepRow Empty(QuiescenceModifierOptions.Setting s, string note, double seconds) =>
        new(s.Momentum, s.Adaptation, s.AdaptationTau, s.Leak, null, null, null, null, null, null, null, null, null, null, null, null, null, null, note, seconds);

    /// <summary>The table of a sweep as markdown: one row per setting.</summary>
    public static string Markdown(SweepSummary s)
    {
        string u = s.Unit;
        var b = new StringBuilder();
        b.AppendLine($"Quiescence modifier sweep: {s.ModelKind} network ({s.Preset}, seed {s.Seed}, training std {s.TrainingStd.ToString("G3", CultureInfo.InvariantCulture)}), " +
                     $"quiescence {s.QuiescenceMode} (sigma_q {s.QuiescentNoiseStd.ToString("G3", CultureInfo.InvariantCulture)} per step), {s.Chains} chains x {s.QuiescentSteps} steps" +
                     (s.ReplayWindowSteps is { } w ? $"; replay metrics on the first {w} steps." : "."));
        if (s.Active is { } a)
            b.AppendLine($"Waking: speed {F(a.Speed, "G3")} {u}/s, diffusion exponent {F(a.DiffusionExponent, "F2")}, step {F(a.StepDistance, "G3")} {u}.");
        b.AppendLine("Speed ratio: quiescent over waking speed (the compression factor); coverage: mean fraction of the arena's cells (or angle bins) a chain visits in the replay window; " +
                     "KL, variance and step as reproduce (KL on the first kl_steps, variance after the burn-in, step over the first step_distance_steps).");
        b.AppendLine();
        b.AppendLine($"| M | b | tau_a | leak | speed ratio | speed ratio (lag 10) | diffusion exponent | W2 ({u}) | W2 floor ({u}) | KL q‖a (nats) | coverage | variance ({u}^2) | step ({u}) | note |");
        b.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var r in s.Settings)
        {
            b.AppendLine($"| {F(r.Momentum, "G3")} | {F(r.Adaptation, "G3")} | {F(r.AdaptationTau, "G3")} | {(r.Leak is { } l ? F(l, "G3") : "own")} | " +
                         $"{F(r.SpeedRatio, "F2")} | {F(r.SpeedRatioLag10, "F2")} | {F(r.DiffusionExponent, "F2")} ± {F(r.DiffusionExponentStandardError, "F2")} | " +
                         $"{F(r.Wasserstein2, "F3")} | {F(r.Wasserstein2Floor, "F3")} | {F(r.Kl, "F3")} ± {F(r.KlStandardError, "F3")} | {F(r.FinalCoverage, "F2")} | {F(r.Variance, "G3")} | {F(r.StepDistance, "G3")} | {r.Note ?? ""} |");
        }
        return b.ToString();
    }

    private static string F(double? v, string format) => v is { } x && double.IsFinite(x) ? x.ToString(format, CultureInfo.InvariantCulture) : "n/a";
}
