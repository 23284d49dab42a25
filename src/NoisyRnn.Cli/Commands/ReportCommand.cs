using System.CommandLine;
using NoisyRnn.Experiments;

namespace NoisyRnn.Cli.Commands;

/// <summary>
/// `noisyrnn report DIR`: aggregates the finished runs under DIR (<see cref="ExperimentReport"/>) into DIR/report.md, a
/// JSON summary (DIR/summary.json for a plan's root; report.json when DIR is itself a run folder, whose summary.json is
/// the run's own) and figures under DIR/report/: per configuration, box plots of the measures over seeds, the mean KL
/// matrix and the figures pooled from the runs' activity.npz files (<see cref="Plotting.PooledActivityFigures"/>: explained
/// variance, occupancy or heading densities); per pair of unbiased and biased twin configurations, the mean KL heat map
/// across training biases.
/// </summary>
internal static class ReportCommand
{
    /// <summary>The box-plot figures of each configuration: summary.json field, file stem, axis label.</summary>
    private static readonly (string Field, string Figure, string Label)[] Boxes =
    [
        ("kl_quiescent_to_active", "kl", "KL(quiescent || active), nats"),
        ("quiescent_output_variance", "variance", "quiescent output variance ({unit}^2)"),
        ("quiescent_step_distance", "step_distance", "quiescent step distance ({unit})"),
        ("nearest_distance_ratio", "nearest_state_ratio", "nearest-waking-state distance ratio"),
        ("pc_kl_quiescent_to_active", "hidden_kl", "hidden-state KL in the top 3 PCs, nats"),
    ];

    public static Command Create()
    {
        var dir = new Argument<string>("DIR") { Description = "A run folder, or the --out folder of a plan (reproduce --seeds / paper-all)." };
        var noPlots = new Option<bool>("--no-plots") { Description = "Write report.md and the JSON summary only." };
        var command = new Command("report", "Aggregate the finished runs under DIR: measures over seeds, the paper's predictions with holds / does not hold, figures.")
        {
            dir, noPlots,
        };
        command.SetAction(parse =>
        {
            try
            {
                Write(parse.GetValue(dir)!, !parse.GetValue(noPlots), parse.InvocationConfiguration.Output);
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException)
            {
                parse.InvocationConfiguration.Error.WriteLine(CliApp.ErrorLine(e.Message));
                return CliApp.UsageError;
            }
        });
        return command;
    }

    /// <summary>Writes the report of <paramref name="root"/>; returns it.</summary>
    public static ExperimentReport Write(string root, bool plots, TextWriter log)
    {
        var report = ExperimentReport.Collect(root);
        if (report.Presets.Count == 0)
            throw new ArgumentException($"'{root}' holds no finished run (no summary.json beside a config.json){(report.Unfinished.Count > 0 ? $"; unfinished: {string.Join(", ", report.Unfinished)}" : "")}.");
        var figures = new Dictionary<string, IReadOnlyList<string>>();
        if (plots)
        {
            string figureDir = Path.Combine(root, "report");
            Directory.CreateDirectory(figureDir);
            foreach (var p in report.Presets)
            {
                var files = new List<string>();
                foreach (var (field, figure, label) in Boxes)
                {
                    var values = p.Runs.ToDictionary(r => r.Key, r => r.Value[field]);
                    if (values.Values.All(v => v.Count == 0)) continue;
                    files.Add(Plotting.CompareFigures.Box(Path.Combine(figureDir, $"{p.Preset}_{figure}.png"), label.Replace("{unit}", p.Unit), values));
                }
                if (p.KlMatrix is { } k)
                    files.Add(Plotting.KlMatrixFigure.Write(Path.Combine(figureDir, $"{p.Preset}_kl_matrix.png"), k.Means()));
                files.AddRange(Plotting.PooledActivityFigures.Write(root, figureDir, p));
                figures[p.Preset] = files.Select(f => Path.GetRelativePath(root, f)).ToList();
            }
            foreach (var x in report.CrossBias)
            {
                string file = Plotting.KlMatrixFigure.Write(Path.Combine(figureDir, $"{x.UnbiasedPreset}_x_{x.BiasedPreset}_kl_matrix.png"), x.Matrix.Means());
                figures[ExperimentReport.CrossBiasFigureKey(x)] = [Path.GetRelativePath(root, file)];
            }
        }
        bool runFolder = File.Exists(Path.Combine(root, Experiment.ConfigFileName));
        string json = Path.Combine(root, runFolder ? "report.json" : Experiment.SummaryFileName);
        AtomicFile.WriteAllText(json, report.ToJson());
        string markdown = Path.Combine(root, "report.md");
        AtomicFile.WriteAllText(markdown, report.ToMarkdown(figures));
        foreach (var p in report.Presets)
        {
            log.WriteLine($"{p.Preset} ({p.Seeds.Count} seed{(p.Seeds.Count == 1 ? "" : "s")}):");
            Verdict.Print(log, p.Claims);
        }
        if (report.Unfinished.Count > 0) log.WriteLine($"Unfinished (not counted): {string.Join(", ", report.Unfinished)}");
        if (report.MissingActivity.Count > 0)
            log.WriteLine($"No activity.npz (left out of the pooled activity figures): {string.Join(", ", report.MissingActivity)}");
        log.WriteLine($"Wrote {markdown} and {json}.");
        return report;
    }
}

/// <summary>The paper's predictions as a checklist: one line per prediction with its verdict and value.</summary>
internal static class Verdict
{
    public static void Print(TextWriter log, IReadOnlyList<ClaimCheck> claims)
    {
        foreach (var c in claims)
        {
            string mark = c.Outcome switch { ClaimOutcome.Holds => "[holds]", ClaimOutcome.DoesNotHold => "[does not hold]", ClaimOutcome.Mixed => "[mixed]", _ => "[not tested]" };
            log.WriteLine($"  {mark,-16} {c.Claim}: {c.Value.Format()} ({c.Measure}){(c.Tested > 1 ? $", {c.Holding}/{c.Tested} seeds" : "")}{(c.Note is { } n ? $"; {n}" : "")}");
        }
    }
}
