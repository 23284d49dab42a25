using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using NoisyRnn.Experiments;

namespace NoisyRnn.Cli.Commands;

internal sealed record CompareSummary(
    [property: JsonPropertyName("folders")] IReadOnlyList<string> Folders,
    [property: JsonPropertyName("seeds")] IReadOnlyList<ulong> Seeds,
    [property: JsonPropertyName("unit")] string Unit,
    [property: JsonPropertyName("runs")] IReadOnlyDictionary<string, IReadOnlyDictionary<string, MetricSpread>> Runs);

/// <summary>
/// `noisyrnn compare DIR...`: reads the summary.json of several reproduce output folders (for example seeds 0, 1, 2) and
/// writes box plots of the quiescent variance, step distance and KL across them (one box per run name) and compare.json
/// with each run's mean, std and values.
/// </summary>
internal static class CompareCommand
{
    /// <summary>The compared metrics: summary.json field, file stem of its figure, axis label ({unit} stands for the runs'
    /// decoding unit, m or rad).</summary>
    public static readonly (string Field, string Figure, string Label)[] Metrics =
    [
        ("quiescent_output_variance", "compare_variance", "quiescent output variance ({unit}^2)"),
        ("quiescent_step_distance", "compare_step_distance", "quiescent step distance ({unit})"),
        ("kl_quiescent_to_active", "compare_kl", "KL(quiescent || active) (nats)"),
    ];

    public static Command Create()
    {
        var dirs = new Argument<string[]>("DIR") { Description = "Output folders of reproduce runs (each with a summary.json).", Arity = ArgumentArity.OneOrMore };
        var outDir = new Option<string?>("--out") { Description = "Folder for compare.json and the figures (default: the current folder)." };
        var noPlots = new Option<bool>("--no-plots") { Description = "Write compare.json only." };
        var allowMixed = new Option<bool>("--allow-mixed")
        {
            Description = "Pool runs whose settings differ in more than the seed (another preset, task, size, noise, ...); by default compare refuses.",
        };
        var command = new Command("compare", "Compare several reproduce runs of one configuration (e.g. seeds): box plots of variance, step distance and KL per run name, and compare.json.")
        {
            dirs, outDir, noPlots, allowMixed,
        };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            try
            {
                string dir = parse.GetValue(outDir) ?? ".";
                // The folder list takes any token, so a mistyped option arrives as a folder name.
                foreach (string folder in parse.GetValue(dirs)!)
                    if (folder.StartsWith('-') && !Directory.Exists(folder))
                        throw new ArgumentException($"unknown option '{folder}' for 'compare'"
                            + Suggest.DidYouMean(folder, parse.CommandResult.Command.Options.Select(o => o.Name)) + " (see --help)");
                OutputFolder.Check(dir);
                var summary = Compare(parse.GetValue(dirs)!, parse.GetValue(allowMixed));
                OutputFolder.Prepare(dir);
                string path = Path.Combine(dir, "compare.json");
                AtomicFile.WriteAllText(path, JsonSerializer.Serialize(summary, NoisyRnn.Experiments.ExperimentJson.Options));
                output.WriteLine($"Compared {summary.Folders.Count} runs (seeds {string.Join(", ", summary.Seeds)}).");
                foreach (var (run, metrics) in summary.Runs)
                    output.WriteLine($"  {run,-22} " + string.Join("  ", Metrics.Select(m => $"{m.Field} {Format(metrics[m.Field])}")));
                output.WriteLine($"Wrote {path}.");
                if (!parse.GetValue(noPlots))
                    foreach (var (field, figure, label) in Metrics)
                        output.WriteLine($"  figure: {Plotting.CompareFigures.Box(Path.Combine(dir, figure + ".png"), label.Replace("{unit}", summary.Unit), summary.Runs.ToDictionary(r => r.Key, r => r.Value[field]))}");
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException or JsonException)
            {
                parse.InvocationConfiguration.Error.WriteLine(CliApp.ErrorLine(e.Message));
                return CliApp.UsageError;
            }
        });
        return command;
    }

    private static string Format(MetricSpread s) =>
        s.Mean is { } m ? $"{m:G4} ± {(s.Std is { } sd ? sd.ToString("G3") : "n/a")}" : "n/a";

    /// <summary>Reads every folder's summary.json and gathers the metrics per run name, in the order of first appearance.</summary>
    /// <param name="folders">Output folders of reproduce runs.</param>
    /// <param name="allowMixed">Pool runs whose settings differ in more than the seed; when false such a mix is an error.</param>
    /// <exception cref="ArgumentException">A folder has no summary.json or it is not a reproduce summary; the runs are of
    /// different settings (other than the seed) and <paramref name="allowMixed"/> is false; or they decode in different units.</exception>
    public static CompareSummary Compare(IReadOnlyList<string> folders, bool allowMixed = false)
    {
        if (folders.Count == 0) throw new ArgumentException("compare needs at least one folder.");
        var names = new List<string>();
        var perFolder = new List<Dictionary<string, JsonElement>>();
        var seeds = new List<ulong>();
        string? unit = null;
        (string Folder, Dictionary<string, string> Settings)? first = null;
        foreach (string folder in folders)
        {
            string path = Path.Combine(folder, "summary.json");
            if (!File.Exists(path)) throw new ArgumentException($"'{folder}' has no summary.json; expected the output folder of a reproduce run.");
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("runs", out var runs) || runs.ValueKind != JsonValueKind.Array)
                throw new ArgumentException($"'{path}' has no 'runs' array; expected the summary.json of a reproduce run.");
            seeds.Add(root.TryGetProperty("seed", out var seed) && seed.TryGetUInt64(out ulong s) ? s : 0);
            var settings = Settings(root);
            if (first is null) first = (folder, settings);
            else if (!allowMixed && Differences(first.Value.Settings, settings) is { Count: > 0 } differences)
                throw new ArgumentException($"'{folder}' and '{first.Value.Folder}' are runs of different settings ({string.Join(", ", differences.Take(4))}"
                    + $"{(differences.Count > 4 ? $", and {differences.Count - 4} more" : "")}); compare pools runs that differ only in the seed. "
                    + "Pass --allow-mixed to pool them anyway.");
            var byName = new Dictionary<string, JsonElement>();
            foreach (var run in runs.EnumerateArray())
            {
                string name = run.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! :
                    throw new ArgumentException($"'{path}' has a run without a name.");
                byName[name] = run.Clone();
                string runUnit = run.TryGetProperty("decoding_unit", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString()! : "m";
                if (unit is not null && unit != runUnit)
                    throw new ArgumentException($"'{path}' is in {runUnit} but earlier runs are in {unit}; compare runs of one task.");
                unit = runUnit;
                if (!names.Contains(name)) names.Add(name);
            }
            perFolder.Add(byName);
        }
        var result = new Dictionary<string, IReadOnlyDictionary<string, MetricSpread>>();
        foreach (string name in names)
        {
            var metrics = new Dictionary<string, MetricSpread>();
            foreach (var (field, _, _) in Metrics)
                metrics[field] = MetricSpread.Of(perFolder.Select(f => Value(f, name, field)).ToList());
            result[name] = metrics;
        }
        return new CompareSummary(folders.Select(Path.GetFullPath).ToList(), seeds, unit ?? "m", result);
    }

    /// <summary>A run's settings that must agree for pooling: every field of summary.json's "settings" but the seed (each
    /// value as its JSON text), or, in a summary without it, the preset and task.</summary>
    private static Dictionary<string, string> Settings(JsonElement root)
    {
        var fields = new Dictionary<string, string>();
        if (root.TryGetProperty("settings", out var settings) && settings.ValueKind == JsonValueKind.Object)
        {
            foreach (var field in settings.EnumerateObject())
                if (field.Name != "seed") fields[field.Name] = field.Value.GetRawText();
        }
        else
        {
            foreach (string name in new[] { "preset", "task" })
                fields[name] = root.TryGetProperty(name, out var v) ? v.GetRawText() : "null";
        }
        return fields;
    }

    /// <summary>"field a vs b" for every field whose values differ (a field missing on one side reads "absent").</summary>
    private static List<string> Differences(Dictionary<string, string> a, Dictionary<string, string> b) =>
        a.Keys.Union(b.Keys)
            .Where(k => !a.TryGetValue(k, out var x) || !b.TryGetValue(k, out var y) || x != y)
            .Select(k => $"{(k == "name" ? "preset" : k)} {(b.TryGetValue(k, out var y) ? y : "absent")} vs {(a.TryGetValue(k, out var x) ? x : "absent")}")
            .ToList();

    private static double? Value(Dictionary<string, JsonElement> runs, string name, string field) =>
        runs.TryGetValue(name, out var run) && run.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
}
