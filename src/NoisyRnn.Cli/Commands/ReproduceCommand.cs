using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using NoisyRnn.Experiments;

namespace NoisyRnn.Cli.Commands;

/// <summary>`noisyrnn reproduce`: the main job (see README): one experiment, or a plan of (preset, seed) jobs.</summary>
internal static class ReproduceCommand
{
    public static Command Create()
    {
        var preset = new Option<string?>("--preset") { Description = $"Preset: quick (default, a few minutes), paper (512 units, 2500 steps), smoke (seconds, for tests), one of the paper's configurations, or {ExperimentPresets.PaperAllName} (the six; --list-presets)." };
        var config = new Option<string?>("--config") { Description = "JSON config file of the run (as written to config.json or by --write-config); options given on the command line override its fields." };
        var writeConfig = new Option<string?>("--write-config") { Description = "Write the resolved config (preset or --config, then overrides) to this file and exit without training." };
        var listPresets = new Option<bool>("--list-presets") { Description = "Print the preset names with one-line descriptions and exit." };
        var outDir = new Option<string?>("--out") { Description = "Output folder (default ./runs/<timestamp>; required with --seeds or paper-all, whose jobs go to OUT/<preset>/seed-<s>/)." };
        var seed = new Option<ulong?>("--seed") { Description = "Override the base seed of weights, batches, noise and analysis (default 0)." };
        var seeds = new Option<string?>("--seeds") { Description = "Run one job per seed: a list or range such as 0-4 or 0,2,7; jobs go to OUT/<preset>/seed-<s>/." };
        var plan = new Option<bool>("--plan") { Description = "Print the job list (one JSON object per line: id, preset, seed, folder) and exit." };
        var jobIndex = new Option<int?>("--job-index") { Description = "Run only job I of the plan (from 0; e.g. $SLURM_ARRAY_TASK_ID)." };
        var checkpointEvery = new Option<int?>("--checkpoint-every") { Description = "Checkpoint interval in training steps (default 100)." };
        var force = new Option<bool>("--force") { Description = "Start over in a folder that holds another run or other files (its experiment files are replaced); redo finished jobs." };
        var reanalyze = new Option<bool>("--reanalyze") { Description = "Redo the analysis of finished jobs from their saved networks (no training)." };
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
        var resume = new Option<bool>("--resume") { Description = "Accepted for older scripts: rerunning a command always continues its unfinished runs from their checkpoints." };
        var noPlots = new Option<bool>("--no-plots") { Description = "Skip the PNG figures." };
        var parallel = new Option<int?>("--parallel")
        {
            Description = "Jobs of a plan run side by side, each in its own process with an equal share of the processors (default: one job per processor; 1 runs them one at a time on all processors).",
        };
        var modifiers = new QuiescenceModifierOptions();
        var command = new Command("reproduce", "Train a noise-trained and a noise-free network (vanilla RNN or GRU) on the spatial or head-direction task, run quiescence and measure reactivation; or a plan of such jobs over presets and seeds.")
        {
            preset, config, writeConfig, listPresets, outDir, seed, seeds, plan, jobIndex, checkpointEvery, force, reanalyze,
            steps, hidden, cells, batch, lr, noise, distribution, task, model, biased, hdCells, tuning, surround, resume, noPlots, parallel,
        };
        foreach (var option in modifiers.All.Concat(modifiers.Training)) command.Options.Add(option);
        command.SetAction((parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            ConsoleProgress? progress = null;
            string? resumeFolder = null;
            try
            {
                if (parse.GetValue(listPresets))
                {
                    WritePresets(output);
                    return Task.FromResult(0);
                }
                // Order: the preset (--preset, default quick) or the config file (--config), then every option given on the command line.
                string? configPath = parse.GetValue(config);
                string? presetName = parse.GetValue(preset);
                if (configPath is not null && presetName is not null) throw new ArgumentException("--config and --preset both given; expected one of them.", "--config");
                IReadOnlyList<ExperimentConfig> bases = configPath is not null ? [ExperimentConfig.Load(configPath)]
                    : string.Equals(presetName, ExperimentPresets.PaperAllName, StringComparison.OrdinalIgnoreCase) ? ExperimentPresets.PaperAll.Select(ExperimentPresets.Find).ToList()
                    : [FindPreset(presetName ?? "quick")];
                var configs = bases.Select(p => ApplyOverrides(p, parse, modifiers)).ToList();

                if (parse.GetValue(writeConfig) is { } configOut)
                {
                    if (configs.Count > 1) throw new ArgumentException($"--write-config writes one config; {ExperimentPresets.PaperAllName} has {configs.Count}: name one preset.", "--write-config");
                    if (string.IsNullOrWhiteSpace(configOut) || Directory.Exists(configOut))
                        throw new ArgumentException($"--write-config '{configOut}' is not a file path.", "--write-config");
                    AtomicFile.WriteAllText(configOut, configs[0].ToJson());
                    output.WriteLine($"wrote {configOut}");
                    return Task.FromResult(0);
                }

                string? seedList = parse.GetValue(seeds);
                if (seedList is not null && parse.GetValue(seed) is not null) throw new ArgumentException("--seed and --seeds both given; expected one of them.", "--seeds");
                bool many = seedList is not null || configs.Count > 1;
                string? outOption = parse.GetValue(outDir);
                if (many && outOption is null)
                    throw new ArgumentException("--out is required with --seeds or paper-all: every job of the plan goes to OUT/<preset>/seed-<s>/.", "--out");
                string root = outOption ?? Path.Combine("runs", DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
                if (outOption is null) resumeFolder = root;
                var jobs = many
                    ? ExperimentPlan.Create(configs, seedList is null ? [configs[0].Seed] : ExperimentPlan.ParseSeeds(seedList), root)
                    : [new ExperimentJob(0, configs[0].Name, configs[0].Seed, root, configs[0])];

                if (parse.GetValue(plan))
                {
                    foreach (var job in jobs)
                        output.WriteLine(JsonSerializer.Serialize(new { id = job.Id, preset = job.Preset, seed = job.Seed, folder = job.Folder }));
                    return Task.FromResult(0);
                }
                if (parse.GetValue(jobIndex) is { } index)
                {
                    if (index < 0 || index >= jobs.Count)
                        throw new ArgumentException($"--job-index is {index}; expected 0 to {jobs.Count - 1} (the plan has {jobs.Count} job{(jobs.Count == 1 ? "" : "s")}; see --plan).", "--job-index");
                    jobs = [jobs[index]];
                }
                var runOptions = new ExperimentRunOptions { Force = parse.GetValue(force) };
                if (parse.GetValue(checkpointEvery) is { } every)
                {
                    if (every <= 0) throw new ArgumentException($"--checkpoint-every is {every}; expected a positive number of steps.", "--checkpoint-every");
                    runOptions = runOptions with { CheckpointEvery = every };
                }

                int? parallelOption = parse.GetValue(parallel);
                if (parallelOption is < 1)
                    throw new ArgumentException($"--parallel is {parallelOption}; expected a positive number of jobs side by side (1: one at a time).", "--parallel");

                // Every folder is checked before anything runs: finished jobs are skipped, a folder of another run stops the plan.
                var outcomes = new List<(ExperimentJob Job, string Outcome)>();
                var pending = new List<ExperimentJob>();
                foreach (var job in jobs)
                {
                    string label = jobs.Count > 1 || many ? $"job {job.Id} ({job.Preset}, seed {job.Seed})" : $"run";
                    var (state, description) = Experiment.Inspect(job.Folder, job.Config);
                    if (state == RunFolderState.Finished && !parse.GetValue(reanalyze) && !runOptions.Force)
                    {
                        output.WriteLine($"{label}: finished in {job.Folder}; skipping (--reanalyze redoes its analysis, --force starts it over).");
                        outcomes.Add((job, "finished earlier"));
                        continue;
                    }
                    if (state is RunFolderState.OtherConfig or RunFolderState.Foreign && !runOptions.Force)
                        throw new ArgumentException($"{description}; use another --out, or --force to start over there.", "--out");
                    pending.Add(job);
                }
                int workers = Math.Min(parallelOption ?? SideBySideJobs.DefaultWorkers(pending.Count), pending.Count);
                if (workers > 1)
                {
                    var childOptions = new SideBySideJobs.ChildOptions(runOptions.CheckpointEvery, runOptions.Force, parse.GetValue(reanalyze), parse.GetValue(noPlots));
                    outcomes.AddRange(SideBySideJobs.Run(pending, workers, childOptions, output, error, cancellationToken));
                    pending.Clear();
                }
                foreach (var job in pending)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    string label = jobs.Count > 1 || many ? $"job {job.Id} ({job.Preset}, seed {job.Seed})" : $"run";
                    if (many) output.WriteLine($"== {label} -> {job.Folder}");
                    OutputFolder.Prepare(job.Folder);
                    progress = new ConsoleProgress(output, runOptions.CheckpointEvery);
                    var result = Experiment.Run(job.Config, job.Folder, runOptions, progress, cancellationToken);
                    if (!parse.GetValue(noPlots))
                        foreach (string f in Plotting.ExperimentFigures.Write(result)) output.WriteLine($"  figure: {f}");
                    ResultTable.Print(output, result.Summary);
                    outcomes.Add((job, "done"));
                }
                if (many)
                {
                    output.WriteLine();
                    output.WriteLine($"Plan of {jobs.Count} job(s) under {root}: " + string.Join(", ", outcomes.GroupBy(o => o.Outcome).Select(g => $"{g.Count()} {g.Key}")) + ".");
                    ReportCommand.Write(root, !parse.GetValue(noPlots), output);
                }
                if (outcomes.Count(o => o.Outcome.StartsWith("failed", StringComparison.Ordinal)) is > 0 and var failed)
                {
                    error.WriteLine(CliApp.ErrorLine($"{failed} job(s) failed; their lines above say why. Rerun the same command to retry them."));
                    return Task.FromResult(1);
                }
                return Task.FromResult(0);
            }
            catch (OperationCanceledException)
            {
                // Without --out the run went to a fresh runs/<timestamp> folder, so "the same command" would start over elsewhere.
                string again = resumeFolder is null ? "Rerun the same command" : $"Rerun it with --out {resumeFolder}";
                error.WriteLine(CliApp.ErrorLine("interrupted" + (progress?.Where() is { } where ? $": {where}" : "") +
                                                 $". {again} to continue from the last checkpoint."));
                return Task.FromResult(130);
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException
                                          or Training.TrainingDivergedException or Models.SimulationDivergedException)
            {
                // ArgumentException covers DegenerateDataException; IOException covers an --out folder that cannot be created.
                error.WriteLine(CliApp.ErrorLine(e.Message));
                return Task.FromResult(CliApp.UsageError);
            }
        });
        return command;
    }

    /// <summary>The preset of that name, or a one-line error with a suggestion.</summary>
    private static ExperimentConfig FindPreset(string name)
    {
        try
        {
            return ExperimentPresets.Find(name);
        }
        catch (ArgumentException e)
        {
            // The plan name is accepted here too (the library's Find returns single configurations only).
            var names = ExperimentPresets.All.Select(p => p.Name).Append(ExperimentPresets.PaperAllName).ToList();
            throw new ArgumentException($"--preset: unknown preset '{name}'{Suggest.DidYouMean(name, names)}; expected one of: {string.Join(", ", names)}.", "--preset", e);
        }
    }

    /// <summary>The command line's overrides applied to one configuration, then validated.</summary>
    private static ExperimentConfig ApplyOverrides(ExperimentConfig p, ParseResult parse, QuiescenceModifierOptions modifiers)
    {
        Option<T> O<T>(string name) => (Option<T>)parse.CommandResult.Command.Options.First(o => o.Name == name);
        if (parse.GetValue(O<string?>("--task")) is { } taskOption)
        {
            string taskName = taskOption.ToLowerInvariant();
            if (taskName is "head-direction" or "hd") p = p.ForHeadDirection();
            else if (taskName == "spatial") p = p with { Task = "spatial" };
            else throw new ArgumentException($"--task: unknown task '{taskOption}'{Suggest.DidYouMean(taskName, ["spatial", "head-direction"])}; expected spatial or head-direction (hd).", "--task");
        }
        if (parse.GetValue(O<string?>("--model")) is { } modelOption)
        {
            string modelName = modelOption.ToLowerInvariant();
            if (modelName is not ("vanilla" or "gru")) throw new ArgumentException($"--model: unknown model '{modelOption}'{Suggest.DidYouMean(modelName, ["vanilla", "gru"])}; expected vanilla or gru.", "--model");
            // Each cell with its paper nonlinearity: ReLU for the vanilla RNN, tanh for the GRU.
            p = p with { Model = modelName, Activation = modelName == "gru" ? "tanh" : "relu" };
        }
        if (parse.GetValue(O<bool>("--biased"))) p = p with { Biased = true };
        if (parse.GetValue(O<ulong?>("--seed")) is { } sd) p = p with { Seed = sd };
        if (parse.GetValue(O<int?>("--hd-cells")) is { } hc) p = p with { HdCells = hc };
        var tuning = parse.GetValue(O<string?>("--place-cell-tuning"));
        if (tuning is { } tn)
        {
            string tuningName = tn.ToLowerInvariant();
            if (tuningName is not ("gaussian" or "dog")) throw new ArgumentException($"--place-cell-tuning: unknown tuning '{tn}'{Suggest.DidYouMean(tuningName, ["gaussian", "dog"])}; expected gaussian or dog.", "--place-cell-tuning");
            p = p with { PlaceCellTuning = tuningName };
        }
        var surround = parse.GetValue(O<double?>("--surround-scale"));
        if (surround is { } ss) p = p with { SurroundScale = ss };
        if (parse.GetValue(O<int?>("--steps")) is { } s) p = p with { Steps = s };
        if (parse.GetValue(O<int?>("--hidden")) is { } h) p = p with { HiddenSize = h };
        if (parse.GetValue(O<int?>("--place-cells")) is { } c) p = p with { PlaceCells = c };
        if (parse.GetValue(O<int?>("--batch")) is { } b) p = p with { BatchSize = b };
        if (parse.GetValue(O<double?>("--lr")) is { } l) p = p with { LearningRate = l };
        if (parse.GetValue(O<float?>("--noise-std")) is { } n) p = p with { NoiseStd = n };
        if (parse.GetValue(O<NoisyRnn.Noise.NoiseDistribution?>("--noise-distribution")) is { } d) p = p with { NoiseDistribution = d };
        // --momentum, --adaptation, --adaptation-tau, --quiescent-leak: one value each, into the config's quiescent_* fields.
        p = modifiers.Settings(parse, p, allowLists: false)[0].ApplyTo(p);
        // --train-momentum, --train-adaptation, --train-adaptation-tau: into the config's training_* fields.
        p = modifiers.ApplyTraining(parse, p);
        // Options that the resolved run would ignore are errors rather than silently unused.
        if (tuning is not null && !p.IsSpatial)
            throw new ArgumentException("--place-cell-tuning applies to the spatial task only; the run's task is head-direction.", "--place-cell-tuning");
        if (surround is not null && !(p.IsSpatial && p.PlaceCellTuning == "dog"))
            throw new ArgumentException($"--surround-scale applies only with --place-cell-tuning dog; the run's tuning is {(p.IsSpatial ? p.PlaceCellTuning : "none (head-direction task)")}.", "--surround-scale");
        try
        {
            return p.Validate();
        }
        catch (ArgumentException e) when (OptionOfField(e.Message) is { } name && parse.GetResult(parse.CommandResult.Command.Options.First(o => o.Name == name)) is not null)
        {
            // The value came from the command line: name the option the user typed beside the config field it sets.
            throw new ArgumentException($"{name}: {e.Message}", name, e);
        }
    }

    /// <summary>The command-line option that sets the config field a validation message starts with ("config.steps ..."), or null.</summary>
    private static string? OptionOfField(string message)
    {
        foreach (var (field, option) in FieldOptions)
            if (message.StartsWith($"config.{field} ", StringComparison.Ordinal)) return option;
        return null;
    }

    private static readonly (string Field, string Option)[] FieldOptions =
    [
        ("steps", "--steps"), ("hidden_size", "--hidden"), ("place_cells", "--place-cells"), ("batch_size", "--batch"),
        ("learning_rate", "--lr"), ("noise_std", "--noise-std"), ("hd_cells", "--hd-cells"), ("surround_scale", "--surround-scale"),
    ];

    /// <summary>The preset names and their one-line descriptions, one per line.</summary>
    public static void WritePresets(TextWriter output)
    {
        int width = ExperimentPresets.All.Max(p => p.Name.Length);
        foreach (var p in ExperimentPresets.All)
            output.WriteLine($"{p.Name.PadRight(width)}  {ExperimentPresets.Descriptions.GetValueOrDefault(p.Name, "")}");
        output.WriteLine($"{ExperimentPresets.PaperAllName.PadRight(width)}  the six paper-* presets as one plan (with --seeds and --out)");
    }
}
