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
        var resume = new Option<bool>("--resume") { Description = "Continue training from the checkpoints in --out if present." };
        var noPlots = new Option<bool>("--no-plots") { Description = "Skip the PNG figures." };
        var command = new Command("reproduce", "Train a noise-trained and a noise-free network on the spatial task, run quiescence and measure reactivation.")
        {
            preset, outDir, seed, steps, hidden, cells, batch, lr, noise, distribution, resume, noPlots,
        };
        command.SetAction(parse =>
        {
            try
            {
                var p = ReproducePreset.Find(parse.GetValue(preset)!);
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
