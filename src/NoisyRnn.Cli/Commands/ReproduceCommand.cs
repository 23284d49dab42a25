using System.CommandLine;
using System.Globalization;

namespace NoisyRnn.Cli.Commands;

/// <summary>`noisyrnn reproduce`: the main job (see README).</summary>
internal static class ReproduceCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = "Preset: quick (default, a few minutes), paper (512 units, 2500 steps), smoke (seconds, for tests).", DefaultValueFactory = _ => "quick" };
        var outDir = new Option<string?>("--out") { Description = "Output folder (default ./runs/<timestamp>)." };
        var seed = new Option<ulong>("--seed") { Description = "Base seed of weights, batches, noise and analysis.", DefaultValueFactory = _ => 0UL };
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
        var task = new Option<string>("--task") { Description = "Task: spatial (default) or head-direction (paper sizes scaled by the preset).", DefaultValueFactory = _ => "spatial" };
        var model = new Option<string>("--model") { Description = "Recurrent cell: vanilla (default, ReLU) or gru (tanh candidate).", DefaultValueFactory = _ => "vanilla" };
        var biased = new Option<bool>("--biased") { Description = "Biased trajectories: drift toward the arena centre (spatial) or counter-clockwise turns only (head direction)." };
        var hdCells = new Option<int?>("--hd-cells") { Description = "Override the number of head-direction cells." };
        var resume = new Option<bool>("--resume") { Description = "Continue training from the checkpoints in --out if present." };
        var noPlots = new Option<bool>("--no-plots") { Description = "Skip the PNG figures." };
        var command = new Command("reproduce", "Train a noise-trained and a noise-free network (vanilla RNN or GRU) on the spatial or head-direction task, run quiescence and measure reactivation.")
        {
            preset, outDir, seed, steps, hidden, cells, batch, lr, noise, distribution, task, model, biased, hdCells, resume, noPlots,
        };
        command.SetAction(parse =>
        {
            try
            {
                var p = ReproducePreset.Find(parse.GetValue(preset)!);
                string taskName = parse.GetValue(task)!.ToLowerInvariant();
                if (taskName is "head-direction" or "hd") p = p.ForHeadDirection();
                else if (taskName != "spatial") throw new ArgumentException($"Unknown task '{taskName}'; expected spatial or head-direction.", "--task");
                string modelName = parse.GetValue(model)!.ToLowerInvariant();
                if (modelName is not ("vanilla" or "gru")) throw new ArgumentException($"Unknown model '{modelName}'; expected vanilla or gru.", "--model");
                p = p with { Model = modelName, Biased = parse.GetValue(biased) };
                if (parse.GetValue(hdCells) is { } hc) p = p with { HdCells = hc };
                if (parse.GetValue(steps) is { } s) p = p with { Steps = s };
                if (parse.GetValue(hidden) is { } h) p = p with { HiddenSize = h };
                if (parse.GetValue(cells) is { } c) p = p with { PlaceCells = c };
                if (parse.GetValue(batch) is { } b) p = p with { BatchSize = b };
                if (parse.GetValue(lr) is { } l) p = p with { LearningRate = l };
                if (parse.GetValue(noise) is { } n) p = p with { NoiseStd = n };
                if (parse.GetValue(distribution) is { } d) p = p with { NoiseDistribution = d };
                string dir = parse.GetValue(outDir)
                    ?? Path.Combine("runs", DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
                if (string.IsNullOrWhiteSpace(dir)) throw new ArgumentException("--out is empty; expected a folder path.", "--out");
                if (File.Exists(dir)) throw new ArgumentException($"--out '{dir}' is an existing file; expected a folder (new or existing).", "--out");
                new ReproduceRunner(p, parse.GetValue(seed), dir, parse.InvocationConfiguration.Output, parse.GetValue(resume), !parse.GetValue(noPlots)).Run();
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
}
