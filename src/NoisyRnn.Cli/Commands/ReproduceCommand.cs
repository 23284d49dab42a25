using System.CommandLine;
using System.Globalization;

namespace NoisyRnn.Cli.Commands;

/// <summary>`noisyrnn reproduce`: the main job (see README).</summary>
internal static class ReproduceCommand
{
    public static Command Create()
    {
        var preset = new Option<string?>("--preset") { Description = "Preset: quick (default, a few minutes), paper (512 units, 2500 steps), smoke (seconds, for tests), or one of the paper's configurations (--list-presets)." };
        var config = new Option<string?>("--config") { Description = "JSON config file of the run (as written to config.json or by --write-config); options given on the command line override its fields." };
        var writeConfig = new Option<string?>("--write-config") { Description = "Write the resolved config (preset or --config, then overrides) to this file and exit without training." };
        var listPresets = new Option<bool>("--list-presets") { Description = "Print the preset names with one-line descriptions and exit." };
        var outDir = new Option<string?>("--out") { Description = "Output folder (default ./runs/<timestamp>)." };
        var seed = new Option<ulong?>("--seed") { Description = "Override the base seed of weights, batches, noise and analysis (default 0)." };
        var steps = new Option<int?>("--steps") { Description = "Override the number of training steps." };
        var hidden = new Option<int?>("--hidden") { Description = "Override the number of hidden units." };
        var cells = new Option<int?>("--place-cells") { Description = "Override the number of place cells." };
        var batch = new Option<int?>("--batch") { Description = "Override the batch size (also the number of quiescent chains)." };
        var lr = new Option<double?>("--lr") { Description = "Override the Adam learning rate." };
        var noise = new Option<float?>("--noise-std") { Description = "Override the noise-trained network's per-step recurrent noise std (paper: 0.01)." };
        var distribution = new Option<NoisyRnn.Noise.NoiseDistribution?>("--noise-distribution")
        {
            Description = "Raw noise draws: StandardNormal (paper, default) or Uniform01 (the published code's torch.rand, mean 1/2).",
        };
        var task = new Option<string?>("--task") { Description = "Task: spatial (default) or head-direction (paper sizes scaled by the preset)." };
        var model = new Option<string?>("--model") { Description = "Recurrent cell: vanilla (default, ReLU) or gru (tanh candidate)." };
        var biased = new Option<bool>("--biased") { Description = "Biased trajectories: drift toward the arena centre (spatial) or counter-clockwise turns only (head direction)." };
        var tuning = new Option<string?>("--place-cell-tuning") { Description = "Place-cell tuning: gaussian (the paper, default) or dog (difference of Gaussians, Sorscher et al. 2019)." };
        var surround = new Option<double?>("--surround-scale") { Description = "Surround scale of DoG place cells: the surround's variance over the centre's (> 1; default 2)." };
        var hdCells = new Option<int?>("--hd-cells") { Description = "Override the number of head-direction cells." };
        var resume = new Option<bool>("--resume") { Description = "Continue training from the checkpoints in --out if present." };
        var noPlots = new Option<bool>("--no-plots") { Description = "Skip the PNG figures." };
        var command = new Command("reproduce", "Train a noise-trained and a noise-free network (vanilla RNN or GRU) on the spatial or head-direction task, run quiescence and measure reactivation.")
        {
            preset, config, writeConfig, listPresets, outDir, seed, steps, hidden, cells, batch, lr, noise, distribution, task, model, biased, hdCells, tuning, surround, resume, noPlots,
        };
        command.SetAction(parse =>
        {
            try
            {
                var output = parse.InvocationConfiguration.Output;
                if (parse.GetValue(listPresets))
                {
                    WritePresets(output);
                    return 0;
                }
                // Order: the preset (--preset, default quick) or the config file (--config), then every option given on the command line.
                string? configPath = parse.GetValue(config);
                string? presetName = parse.GetValue(preset);
                if (configPath is not null && presetName is not null) throw new ArgumentException("--config and --preset both given; expected one of them.", "--config");
                var p = configPath is not null ? ReproduceConfig.Load(configPath) : ReproducePreset.Find(presetName ?? "quick");
                if (parse.GetValue(task) is { } taskOption)
                {
                    string taskName = taskOption.ToLowerInvariant();
                    if (taskName is "head-direction" or "hd") p = p.ForHeadDirection();
                    else if (taskName == "spatial") p = p with { Task = "spatial" };
                    else throw new ArgumentException($"Unknown task '{taskName}'; expected spatial or head-direction.", "--task");
                }
                if (parse.GetValue(model) is { } modelOption)
                {
                    string modelName = modelOption.ToLowerInvariant();
                    if (modelName is not ("vanilla" or "gru")) throw new ArgumentException($"Unknown model '{modelName}'; expected vanilla or gru.", "--model");
                    // Each cell with its paper nonlinearity: ReLU for the vanilla RNN, tanh for the GRU.
                    p = p with { Model = modelName, Activation = modelName == "gru" ? "tanh" : "relu" };
                }
                if (parse.GetValue(biased)) p = p with { Biased = true };
                if (parse.GetValue(seed) is { } sd) p = p with { Seed = sd };
                if (parse.GetValue(hdCells) is { } hc) p = p with { HdCells = hc };
                if (parse.GetValue(tuning) is { } tn)
                {
                    string tuningName = tn.ToLowerInvariant();
                    if (tuningName is not ("gaussian" or "dog")) throw new ArgumentException($"Unknown place-cell tuning '{tn}'; expected gaussian or dog.", "--place-cell-tuning");
                    p = p with { PlaceCellTuning = tuningName };
                }
                if (parse.GetValue(surround) is { } ss) p = p with { SurroundScale = ss };
                if (parse.GetValue(steps) is { } s) p = p with { Steps = s };
                if (parse.GetValue(hidden) is { } h) p = p with { HiddenSize = h };
                if (parse.GetValue(cells) is { } c) p = p with { PlaceCells = c };
                if (parse.GetValue(batch) is { } b) p = p with { BatchSize = b };
                if (parse.GetValue(lr) is { } l) p = p with { LearningRate = l };
                if (parse.GetValue(noise) is { } n) p = p with { NoiseStd = n };
                if (parse.GetValue(distribution) is { } d) p = p with { NoiseDistribution = d };
                // Options that the resolved run would ignore are errors rather than silently unused.
                if (parse.GetValue(tuning) is not null && !p.IsSpatial)
                    throw new ArgumentException("--place-cell-tuning applies to the spatial task only; the run's task is head-direction.", "--place-cell-tuning");
                if (parse.GetValue(surround) is not null && !(p.IsSpatial && p.PlaceCellTuning == "dog"))
                    throw new ArgumentException($"--surround-scale applies only with --place-cell-tuning dog; the run's tuning is {(p.IsSpatial ? p.PlaceCellTuning : "none (head-direction task)")}.", "--surround-scale");
                ReproduceConfig.Validate(p);
                if (parse.GetValue(writeConfig) is { } configOut)
                {
                    if (string.IsNullOrWhiteSpace(configOut) || Directory.Exists(configOut))
                        throw new ArgumentException($"--write-config '{configOut}' is not a file path.", "--write-config");
                    AtomicFile.WriteAllText(configOut, ReproduceConfig.ToJson(p));
                    output.WriteLine($"wrote {configOut}");
                    return 0;
                }
                string dir = parse.GetValue(outDir)
                    ?? Path.Combine("runs", DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
                OutputFolder.Prepare(dir);
                new ReproduceRunner(p, p.Seed, dir, output, parse.GetValue(resume), !parse.GetValue(noPlots)).Run();
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException
                                          or Training.TrainingDivergedException or Models.SimulationDivergedException)
            {
                // ArgumentException covers DegenerateDataException; IOException covers an --out folder that cannot be created.
                parse.InvocationConfiguration.Error.WriteLine(CliApp.ErrorLine(e.Message));
                return CliApp.UsageError;
            }
        });
        return command;
    }

    /// <summary>The preset names and their one-line descriptions, one per line.</summary>
    public static void WritePresets(TextWriter output)
    {
        int width = ReproducePreset.All.Max(p => p.Name.Length);
        foreach (var p in ReproducePreset.All)
            output.WriteLine($"{p.Name.PadRight(width)}  {ReproducePreset.Descriptions.GetValueOrDefault(p.Name, "")}");
    }
}
