using System.CommandLine;
using System.Diagnostics;
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
    /// <summary>One benchmark configuration: a task, the network's cell and sizes, and the training noise.</summary>
    /// <param name="Name">Preset name on the command line.</param>
    /// <param name="Task">"spatial" (velocity -> place cells) or "head-direction" (angular velocity -> HD cells).</param>
    /// <param name="Hidden">Hidden units.</param>
    /// <param name="Cells">Place or HD cells: outputs and initial-state width.</param>
    /// <param name="Batch">Trajectories per step.</param>
    /// <param name="Time">Time steps per trajectory.</param>
    /// <param name="NoiseStd">Per-step recurrent noise std.</param>
    /// <param name="Dt">RNN integration step (tau = 1).</param>
    /// <param name="Model">"vanilla" (ReLU leaky RNN) or "gru" (tanh candidate, as the reproduce paper-spatial-gru-* presets).</param>
    internal sealed record BenchPreset(string Name, string Task, int Hidden, int Cells, int Batch, int Time, float NoiseStd, float Dt, string Model = "vanilla")
    {
        public bool IsSpatial => Task == "spatial";

        public bool IsGru => Model == "gru";

        public int Inputs => IsSpatial ? 2 : 1;

        /// <summary>Flops of the matrix products of one training step (<see cref="StepFlops"/> or <see cref="GruStepFlops"/>).</summary>
        public double Flops => IsGru
            ? GruStepFlops(Batch, Time, Inputs, Hidden, Cells, Cells)
            : StepFlops(Batch, Time, Inputs, Hidden, Cells, Cells);
    }

    internal static readonly BenchPreset[] Presets =
    [
        new("paper-spatial", "spatial", 512, 512, 200, 100, 0.01f, 0.2f),
        // Paper head direction (App. B; the reproduce preset paper-hd-*): 128 units, 512 HD cells, RNN dt 0.5, noise variance 1e-2.
        new("paper-head-direction", "head-direction", 128, 512, 200, 100, 0.1f, 0.5f),
        // Paper spatial GRU (the reproduce presets paper-spatial-gru-*): the spatial configuration with a tanh GRU cell,
        // 126.3 GFLOP of matrix products per step (three recurrent matrices instead of one), twice the vanilla step.
        new("paper-spatial-gru", "spatial", 512, 512, 200, 100, 0.01f, 0.2f, "gru"),
        new("quick-spatial", "spatial", 128, 512, 200, 100, 0.01f, 0.2f),
        new("tiny", "spatial", 16, 32, 8, 10, 0.01f, 0.2f),
        new("tiny-head-direction", "head-direction", 16, 32, 8, 10, 0.1f, 0.5f),
        new("tiny-gru", "spatial", 16, 32, 8, 10, 0.01f, 0.2f, "gru"),
    ];

    /// <summary>Largest --steps: far beyond any useful timing, and the step count plus warm-up cannot overflow.</summary>
    internal const int MaxSteps = 1_000_000;

    /// <summary>Multiply-adds x 2 of the matrix products of one vanilla step (forward, BPTT and readout); element-wise work excluded.</summary>
    internal static double StepFlops(int batch, int time, int inputs, int hidden, int outputs, int init)
    {
        double rows = (double)batch * time;
        double forward = 2 * (batch * (double)init * hidden + rows * inputs * hidden + rows * hidden * hidden + rows * hidden * outputs);
        // Backward: dW_out and dH from the readout, dW_rec and dh from the recurrence, dW_in and dW_enc.
        double backward = 2 * (2 * rows * hidden * outputs + 2 * rows * hidden * hidden + rows * hidden * inputs + batch * (double)hidden * init);
        return forward + backward;
    }

    /// <summary>Multiply-adds x 2 of the matrix products of one GRU step: per time step the three gates' input products
    /// (W_z, W_r, W_h) and recurrent products (U_z h, U_r h, U_h (r h)), the readout and the encoder; backward a weight
    /// gradient and an input gradient per recurrent matrix, the input weights' gradients, the readout's two products and
    /// the encoder's gradient. Element-wise work (gates, activations) excluded.</summary>
    internal static double GruStepFlops(int batch, int time, int inputs, int hidden, int outputs, int init)
    {
        double rows = (double)batch * time;
        double forward = 2 * (batch * (double)init * hidden + 3 * rows * inputs * hidden + 3 * rows * hidden * hidden + rows * hidden * outputs);
        double backward = 2 * (2 * rows * hidden * outputs + 6 * rows * hidden * hidden + 3 * rows * hidden * inputs + batch * (double)hidden * init);
        return forward + backward;
    }

    public static Command Create()
    {
        var preset = new Option<string>("--preset")
        {
            Description = "paper-spatial (512 units, batch 200 x 100, 512 place cells), paper-head-direction (128 units, 512 HD cells), " +
                "paper-spatial-gru (the spatial configuration with a 512-unit tanh GRU), quick-spatial (128 units), tiny, tiny-head-direction or tiny-gru.",
            DefaultValueFactory = _ => "paper-spatial",
        };
        var steps = new Option<int>("--steps") { Description = "Timed steps (after the warm-up steps).", DefaultValueFactory = _ => 10 };
        var warmup = new Option<int?>("--warmup")
        {
            Description = $"Untimed steps first, while the JIT compiles the step's code at full optimisation. Default: {FullWarmup} steps, or {MaxWarmupSeconds} s once {DefaultWarmup} are done.",
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var breakdown = new Option<bool>("--breakdown")
        {
            Description = "Also time the phases of a step (data, noise, forward + loss + backward, Adam; and the unfused forward, loss and backward for reference) in a separate loop that calls the library APIs.",
        };
        var overlap = new Option<bool>("--overlap")
        {
            Description = "Train with TrainingOptions.OverlapDataGeneration (the next batch is generated on a background task).",
        };
        var threads = new Option<int?>("--threads")
        {
            Description = "Threads the kernels may use (1 to the processor count). Default: the processor count.",
        };
        var noCeiling = new Option<bool>("--no-ceiling")
        {
            Description = "Skip measuring the machine's FMA ceiling (about 0.5-1 s) and the fractions of it.",
        };
        var command = new Command("bench", "Time full training steps at a paper configuration (median ms per step, GFLOP/s, fraction of the machine's FMA ceiling).")
        {
            preset, steps, warmup, json, breakdown, overlap, threads, noCeiling,
        };
        command.SetAction(parse =>
        {
            try
            {
                string name = parse.GetValue(preset)!;
                var p = Presets.FirstOrDefault(x => string.Equals(x.Name, name, StringComparison.OrdinalIgnoreCase))
                    ?? throw new ArgumentException($"Unknown bench preset '{name}'; expected one of: {string.Join(", ", Presets.Select(x => x.Name))}.", "--preset");
                int timed = parse.GetValue(steps);
                if (timed < 1) throw new ArgumentOutOfRangeException("--steps", timed, "--steps must be >= 1.");
                // The trainer runs 2 warm-up steps and 1 evaluation step more, and every step's time is kept.
                if (timed > MaxSteps) throw new ArgumentOutOfRangeException("--steps", timed, $"--steps must be <= {MaxSteps}.");
                int? untimed = parse.GetValue(warmup);
                if (untimed is < 0 or > MaxSteps)
                    throw new ArgumentOutOfRangeException("--warmup", untimed, $"--warmup must be between 0 and {MaxSteps}.");
                int? threadCount = parse.GetValue(threads);
                if (threadCount is int t && (t < 1 || t > Environment.ProcessorCount))
                    throw new ArgumentOutOfRangeException("--threads", t, $"--threads must be between 1 and {Environment.ProcessorCount} (the processor count).");
                int savedThreads = Gemm.MaxThreads;
                Dictionary<string, object> result;
                try
                {
                    if (threadCount is int n) Gemm.MaxThreads = n;
                    result = Run(p, timed, parse.GetValue(overlap), untimed);
                    if (parse.GetValue(breakdown))
                    {
                        foreach (var (key, value) in Breakdown(p, timed, untimed)) result[key] = value;
                    }
                }
                finally
                {
                    Gemm.MaxThreads = savedThreads;
                }
                if (!parse.GetValue(noCeiling)) AddCeiling(result);
                var output = parse.InvocationConfiguration.Output;
                if (parse.GetValue(json))
                {
                    output.WriteLine(JsonSerializer.Serialize(result));
                }
                else
                {
                    foreach (var (key, value) in result)
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key,-30} {value}"));
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

    internal static IPathIntegrationTask CreateTask(BenchPreset p)
    {
        if (p.IsSpatial)
        {
            var taskOptions = new SpatialNavigationOptions { SequenceLength = p.Time };
            return new SpatialNavigationTask(taskOptions, PlaceCells.CreateRandom(p.Cells, 0.2, taskOptions.BoxWidth, taskOptions.BoxHeight, 0));
        }
        return new HeadDirectionTask(new HeadDirectionOptions { SequenceLength = p.Time }, new HeadDirectionCells(p.Cells, Math.PI / 6));
    }

    internal static IRecurrentNetwork CreateModel(BenchPreset p) => p.IsGru
        ? GruRnn.CreateInitialized(new GruRnnOptions(p.Inputs, p.Hidden, p.Cells, p.Cells, Activation.Tanh, 1f, p.Dt), 0)
        : VanillaRnn.CreateInitialized(new VanillaRnnOptions(p.Inputs, p.Hidden, p.Cells, p.Cells, Activation.Relu, 1f, p.Dt), 0);

    /// <summary>Fewest untimed steps by default: enough for the JIT's call counting (30 calls) to promote the once-per-step
    /// methods a first time; measured at the head-direction preset, 2 warm-up steps left the median about 10% high.</summary>
    internal const int DefaultWarmup = 30;

    /// <summary>Untimed steps the default warm-up aims for: with tiered PGO the once-per-step methods are recompiled twice
    /// (instrumented, then optimised), and at the head-direction preset (about 36 ms a step) the 5 steps after 30 warm-up
    /// steps read 47-57 ms and after 60 steps 53-68 ms, against 37-43 ms after 40 or 80 and 36-40 ms after 100.</summary>
    internal const int FullWarmup = 100;

    /// <summary>Longest default warm-up once <see cref="DefaultWarmup"/> steps are done: slow presets (spatial, about
    /// 0.2 s a step) stop here, where the recompilations cost a small share of a step.</summary>
    internal const double MaxWarmupSeconds = 10.0;

    /// <summary>True once a default warm-up is over: <see cref="DefaultWarmup"/> steps, then <see cref="FullWarmup"/>
    /// steps or <see cref="MaxWarmupSeconds"/>, whichever comes first; an explicit count is taken as it is.</summary>
    private static bool WarmedUp(int? warmup, int steps, double seconds) =>
        warmup is int n ? steps >= n : steps >= DefaultWarmup && (steps >= FullWarmup || seconds >= MaxWarmupSeconds);

    /// <summary>Times <paramref name="timedSteps"/> trainer steps after the warm-up (<paramref name="warmup"/> steps, or the
    /// default rule when null).</summary>
    internal static Dictionary<string, object> Run(BenchPreset p, int timedSteps, bool overlap = false, int? warmup = null)
    {
        var task = CreateTask(p);
        var model = CreateModel(p);
        // The trainer is stopped (cancelled between steps) once the timed steps are done, so its step count only needs to be
        // large enough; the warm-up's length is decided as it runs.
        var trainer = new PathIntegrationTrainer(model, task, new TrainingOptions
        {
            Steps = 2 * MaxSteps + 1, BatchSize = p.Batch, TestBatchSize = 1, EvaluateEvery = int.MaxValue,
            Noise = NoiseLevels.Recurrent(p.NoiseStd), CheckpointEvery = 0, OverlapDataGeneration = overlap,
        });
        var elapsed = new List<double>();
        int? firstTimed = null;
        using var stop = new CancellationTokenSource();
        var progress = new SynchronousProgress<TrainingProgress>(tp =>
        {
            elapsed.Add(tp.ElapsedSeconds);
            if (firstTimed is null && WarmedUp(warmup, elapsed.Count, tp.ElapsedSeconds)) firstTimed = elapsed.Count;
            if (firstTimed is int first && elapsed.Count >= first + timedSteps) stop.Cancel();
        });
        if (warmup == 0) firstTimed = 0;
        try
        {
            trainer.Train(progress, cancellationToken: stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The timed steps are done.
        }
        int warmupSteps = firstTimed ?? throw new InvalidOperationException("The benchmark stopped before its timed steps.");
        var stepSeconds = new List<double>();
        // ElapsedSeconds counts from just before the first step, so step 0 took elapsed[0].
        for (int i = warmupSteps; i < warmupSteps + timedSteps; i++) stepSeconds.Add(elapsed[i] - (i == 0 ? 0 : elapsed[i - 1]));
        double median = Median(stepSeconds);
        double flops = p.Flops;
        return new Dictionary<string, object>
        {
            ["preset"] = p.Name,
            ["model"] = p.Model,
            ["median_step_ms"] = Math.Round(median * 1000, 2),
            ["min_step_ms"] = Math.Round(stepSeconds.Min() * 1000, 2),
            ["gflop_per_step"] = Math.Round(flops / 1e9, flops >= 1e9 ? 2 : 5),
            ["gflops"] = Math.Round(flops / median / 1e9, flops / median >= 1e10 ? 1 : 3),
            ["timed_steps"] = timedSteps,
            ["warmup_steps"] = warmupSteps,
            ["overlap_data_generation"] = overlap,
            ["isa_tier"] = Isa.Tier.ToString(),
            // The threads the kernels split work over: Gemm.MaxThreads (the processor count unless --threads lowers it).
            ["threads"] = Gemm.MaxThreads,
            ["processors"] = Environment.ProcessorCount,
        };
    }

    /// <summary>Measures the FMA ceiling (<see cref="FmaCeiling"/>) on one core, on the step's threads and on all cores,
    /// and adds it and the fractions of it the step reached: <c>fma_ceiling_gflops</c> (all cores),
    /// <c>fma_ceiling_one_core_gflops</c>, <c>fma_ceiling_threads_gflops</c> (as many threads as the step used),
    /// <c>fraction_of_ceiling</c> (step GFLOP/s over the ceiling of the threads it used) and
    /// <c>fraction_of_one_core_ceiling</c>.</summary>
    internal static void AddCeiling(Dictionary<string, object> result)
    {
        int used = (int)result["threads"];
        int all = Math.Max(1, Environment.ProcessorCount);
        double one = FmaCeiling.Measure(1);
        double everyCore = all == 1 ? one : FmaCeiling.Measure(all);
        double ofUsed = used == 1 ? one : used == all ? everyCore : FmaCeiling.Measure(used);
        double gflops = Convert.ToDouble(result["gflops"], CultureInfo.InvariantCulture);
        result["fma_ceiling_tier"] = FmaCeiling.Tier.ToString();
        result["fma_ceiling_gflops"] = Math.Round(everyCore, 1);
        result["fma_ceiling_one_core_gflops"] = Math.Round(one, 1);
        result["fma_ceiling_threads_gflops"] = Math.Round(ofUsed, 1);
        result["fraction_of_ceiling"] = Math.Round(gflops / ofUsed, 3);
        result["fraction_of_one_core_ceiling"] = Math.Round(gflops / one, 3);
    }

    /// <summary>
    /// Times the phases of a training step in a loop that makes the trainer's library calls one at a time:
    /// task.NextBatch with the targets deferred (data), the recurrent noise draws the forward pass makes (noise; measured on
    /// its own, and included again in the next phase, which draws them itself), ForwardBackwardMse with the batch's row
    /// targets (forward, loss and BPTT with the readout fused and the targets encoded in cache; gradient clear included), and
    /// the trainer's finiteness checks + Adam. For reference it also times the same pass the unfused way: the targets
    /// encoded into their array, then Forward, MseLoss and Backward (same gradient bits). Medians over
    /// <paramref name="timedSteps"/> steps after the warm-up (<paramref name="warmup"/> untimed steps, or the default rule
    /// when null), in ms.
    /// </summary>
    internal static Dictionary<string, object> Breakdown(BenchPreset p, int timedSteps, int? warmup = null)
    {
        var task = CreateTask(p);
        var model = CreateModel(p);
        var noise = NoiseLevels.Recurrent(p.NoiseStd);
        var trainingStep = new TrainingStep(model, new Adam(new AdamOptions(), model.Parameters.Length), p.Batch, p.Time);
        var tape = trainingStep.Tape;
        var gradient = trainingStep.Gradient;
        var data = task.AllocateBatch(p.Batch);
        var outputGradient = new float[p.Batch * p.Time * p.Cells];
        var draws = new float[p.Batch * p.Time * p.Hidden];
        string[] phases = ["data_ms", "noise_ms", "forward_loss_backward_ms", "adam_ms", "separate_targets_ms", "separate_forward_ms", "separate_loss_ms", "separate_backward_ms"];
        var times = phases.Select(_ => new List<double>()).ToArray();
        var clock = new Stopwatch();
        var sinceStart = Stopwatch.StartNew();
        int? firstTimed = warmup == 0 ? 0 : null;
        for (int step = 0; firstTimed is null || step < firstTimed + timedSteps; step++)
        {
            if (firstTimed is null && WarmedUp(warmup, step, sinceStart.Elapsed.TotalSeconds)) firstTimed = step;
            bool record = firstTimed is not null;
            void Lap(int phase)
            {
                if (record) times[phase].Add(clock.Elapsed.TotalMilliseconds);
                clock.Restart();
            }
            clock.Restart();
            task.NextBatch(new SeededTaskRandom((ulong)step), data, encodeTargets: false);
            Lap(0);
            NoiseStreams.FromSeed((ulong)step + 1000).Recurrent.FillRows(draws, p.Time * p.Hidden);
            Lap(1);
            double loss = trainingStep.ForwardBackward(data, noise, NoiseStreams.FromSeed((ulong)step));
            Lap(2);
            trainingStep.Update(step, loss);
            Lap(3);
            // The unfused pass for reference (its gradient is discarded; the parameters above are already updated): the
            // targets encoded into the [batch, time, output] array, Forward, MseLoss and Backward.
            _ = data.Targets;
            Lap(4);
            model.Forward(data.Inputs, data.InitialState, noise, NoiseStreams.FromSeed((ulong)step), tape);
            Lap(5);
            MseLoss.Compute(tape.Outputs, data.Targets, outputGradient);
            Lap(6);
            Array.Clear(gradient.Values);
            model.Backward(tape, outputGradient, gradient);
            Lap(7);
        }
        var result = new Dictionary<string, object>();
        for (int i = 0; i < phases.Length; i++) result[phases[i]] = Math.Round(Median(times[i]), 2);
        return result;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        int n = sorted.Count;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }
}
