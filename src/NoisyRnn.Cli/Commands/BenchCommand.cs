using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using NoisyRnn.Kernels;
using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Tasks;
using NoisyRnn.Training;

namespace NoisyRnn.Cli.Commands;

/// <summary>
/// `noisyrnn bench`: times whole training steps (data generation, forward, loss, BPTT, Adam) at a paper
/// configuration and prints the median wall time per step and the GEMM-equivalent GFLOP/s. A quick check for users
/// profiling their own settings; the BenchmarkDotNet suite in benchmarks/ is the guarded measurement.
/// </summary>
internal static class BenchCommand
{
    internal sealed record BenchPreset(string Name, int Hidden, int Cells, int Batch, int Time, float NoiseStd);

    internal static readonly BenchPreset[] Presets =
    [
        new("paper-spatial", 512, 512, 200, 100, 0.01f),
        new("quick-spatial", 128, 512, 200, 100, 0.01f),
        new("tiny", 16, 32, 8, 10, 0.01f),
    ];

    /// <summary>Multiply-adds x 2 of the matrix products of one vanilla step (forward, BPTT and readout); element-wise work excluded.</summary>
    internal static double StepFlops(int batch, int time, int inputs, int hidden, int outputs, int init)
    {
        double rows = (double)batch * time;
        double forward = 2 * (batch * (double)init * hidden + rows * inputs * hidden + rows * hidden * hidden + rows * hidden * outputs);
        // Backward: dW_out and dH from the readout, dW_rec and dh from the recurrence, dW_in and dW_enc.
        double backward = 2 * (2 * rows * hidden * outputs + 2 * rows * hidden * hidden + rows * hidden * inputs + batch * (double)hidden * init);
        return forward + backward;
    }

    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = "paper-spatial (512 units, batch 200 x 100, 512 place cells), quick-spatial (128 units) or tiny.", DefaultValueFactory = _ => "paper-spatial" };
        var steps = new Option<int>("--steps") { Description = "Timed steps (after 2 warm-up steps).", DefaultValueFactory = _ => 10 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var command = new Command("bench", "Time full training steps at a paper configuration (median ms per step, GFLOP/s).") { preset, steps, json };
        command.SetAction(parse =>
        {
            try
            {
                string name = parse.GetValue(preset)!;
                var p = Presets.FirstOrDefault(x => string.Equals(x.Name, name, StringComparison.OrdinalIgnoreCase))
                    ?? throw new ArgumentException($"Unknown bench preset '{name}'; expected one of: {string.Join(", ", Presets.Select(x => x.Name))}.", "--preset");
                int timed = parse.GetValue(steps);
                if (timed < 1) throw new ArgumentOutOfRangeException("--steps", timed, "--steps must be >= 1.");
                var result = Run(p, timed);
                var output = parse.InvocationConfiguration.Output;
                if (parse.GetValue(json))
                {
                    output.WriteLine(JsonSerializer.Serialize(result));
                }
                else
                {
                    foreach (var (key, value) in result)
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key,-16} {value}"));
                }
                return 0;
            }
            catch (Exception e) when (e is ArgumentException)
            {
                parse.InvocationConfiguration.Error.WriteLine(CliApp.ErrorLine(e.Message));
                return CliApp.UsageError;
            }
        });
        return command;
    }

    internal static Dictionary<string, object> Run(BenchPreset p, int timedSteps)
    {
        const int Warmup = 2;
        var taskOptions = new SpatialNavigationOptions { SequenceLength = p.Time };
        var task = new SpatialNavigationTask(taskOptions, PlaceCells.CreateRandom(p.Cells, 0.2, taskOptions.BoxWidth, taskOptions.BoxHeight, 0));
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, p.Hidden, p.Cells, p.Cells), 0);
        // One extra step at the end: the trainer evaluates on the held-out batch at its last step, which is not timed.
        int total = Warmup + timedSteps + 1;
        var trainer = new SpatialTrainer(model, task, new TrainingOptions
        {
            Steps = total, BatchSize = p.Batch, TestBatchSize = 1, EvaluateEvery = int.MaxValue,
            Noise = NoiseLevels.Recurrent(p.NoiseStd), CheckpointEvery = 0,
        });
        var elapsed = new List<double>();
        trainer.Train(new SynchronousProgress(tp => elapsed.Add(tp.ElapsedSeconds)));
        var stepSeconds = new List<double>();
        for (int i = Warmup; i < Warmup + timedSteps; i++) stepSeconds.Add(elapsed[i] - elapsed[i - 1]);
        stepSeconds.Sort();
        double median = stepSeconds.Count % 2 == 1
            ? stepSeconds[stepSeconds.Count / 2]
            : 0.5 * (stepSeconds[stepSeconds.Count / 2 - 1] + stepSeconds[stepSeconds.Count / 2]);
        double flops = StepFlops(p.Batch, p.Time, 2, p.Hidden, p.Cells, p.Cells);
        return new Dictionary<string, object>
        {
            ["preset"] = p.Name,
            ["median_step_ms"] = Math.Round(median * 1000, 2),
            ["min_step_ms"] = Math.Round(stepSeconds[0] * 1000, 2),
            ["gflop_per_step"] = Math.Round(flops / 1e9, 2),
            ["gflops"] = Math.Round(flops / median / 1e9, 1),
            ["timed_steps"] = timedSteps,
            ["isa_tier"] = Isa.Tier.ToString(),
            ["processors"] = Environment.ProcessorCount,
        };
    }

    /// <summary>Reports on the training thread (Progress&lt;T&gt; would post to the thread pool and reorder reports).</summary>
    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
