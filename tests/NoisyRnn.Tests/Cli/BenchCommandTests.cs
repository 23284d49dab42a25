using System.Text.Json;
using NoisyRnn.Cli;
using NoisyRnn.Cli.Commands;
using NoisyRnn.Kernels;

namespace NoisyRnn.Tests.Cli;

public class BenchCommandTests
{
    [Fact]
    public void FlopCountOfThePaperSpatialStepIsAbout63Gflop()
    {
        // DESIGN.md: one training step at the spatial paper configuration is about 63 GFLOP.
        double flops = BenchCommand.StepFlops(200, 100, 2, 512, 512, 512);
        Assert.InRange(flops / 1e9, 62.0, 64.0);
    }

    [Fact]
    public void TinyBenchPrintsJsonWithMedianAndGflops()
    {
        var output = new StringWriter();
        int exit = CliApp.Run(["bench", "--preset", "tiny", "--steps", "3", "--json"], output, new StringWriter());
        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(output.ToString());
        Assert.True(doc.RootElement.GetProperty("median_step_ms").GetDouble() > 0);
        Assert.True(doc.RootElement.GetProperty("gflops").GetDouble() > 0);
        Assert.Equal(3, doc.RootElement.GetProperty("timed_steps").GetInt32());
    }

    [Fact]
    public void FlopCountOfThePaperSpatialGruStepIsAbout126Gflop()
    {
        // DESIGN.md: the GRU step costs about twice the vanilla one (three recurrent matrices instead of one).
        var p = BenchCommand.Presets.Single(x => x.Name == "paper-spatial-gru");
        Assert.Equal((512, 512, 200, 100, 2, "gru"), (p.Hidden, p.Cells, p.Batch, p.Time, p.Inputs, p.Model));
        Assert.Equal((0.01f, 0.2f), (p.NoiseStd, p.Dt));
        Assert.InRange(p.Flops / 1e9, 125.0, 127.0);
        Assert.InRange(p.Flops / BenchCommand.Presets.Single(x => x.Name == "paper-spatial").Flops, 1.95, 2.05);
    }

    [Fact]
    public void JsonReportsTheFmaCeilingAndTheFractionOfIt()
    {
        var output = new StringWriter();
        Assert.Equal(0, CliApp.Run(["bench", "--preset", "tiny-gru", "--steps", "2", "--warmup", "1", "--json"], output, new StringWriter()));
        using var doc = JsonDocument.Parse(output.ToString());
        var root = doc.RootElement;
        Assert.Equal("gru", root.GetProperty("model").GetString());
        double all = root.GetProperty("fma_ceiling_gflops").GetDouble();
        double one = root.GetProperty("fma_ceiling_one_core_gflops").GetDouble();
        double gflops = root.GetProperty("gflops").GetDouble();
        Assert.True(one > 0 && all > 0, $"ceilings {one}, {all}");
        Assert.Equal(Isa.Tier.ToString(), root.GetProperty("fma_ceiling_tier").GetString());
        // The fraction is the step's GFLOP/s over the ceiling of the threads the step used (here all of them); no timing
        // is asserted, only that the fields agree with each other (rounding: 3 decimals).
        Assert.Equal(root.GetProperty("threads").GetInt32() == 1 ? one : all, root.GetProperty("fma_ceiling_threads_gflops").GetDouble());
        Assert.Equal(gflops / root.GetProperty("fma_ceiling_threads_gflops").GetDouble(), root.GetProperty("fraction_of_ceiling").GetDouble(), 0.0006);
        Assert.Equal(gflops / one, root.GetProperty("fraction_of_one_core_ceiling").GetDouble(), 0.0006);

        output = new StringWriter();
        Assert.Equal(0, CliApp.Run(["bench", "--preset", "tiny", "--steps", "1", "--warmup", "0", "--json", "--no-ceiling"], output, new StringWriter()));
        using var skipped = JsonDocument.Parse(output.ToString());
        Assert.False(skipped.RootElement.TryGetProperty("fma_ceiling_gflops", out _));
    }

    [Fact]
    public void FmaCeilingCountsTwoFlopsPerLanePerChain()
    {
        Assert.Equal(2.0 * FmaCeiling.Accumulators * 16, FmaCeiling.FlopsPerIteration(IsaTier.Vector512));
        Assert.Equal(2.0 * FmaCeiling.Accumulators, FmaCeiling.FlopsPerIteration(IsaTier.Scalar));
        Assert.Throws<ArgumentOutOfRangeException>(() => FmaCeiling.Measure(0));
    }

    [Fact]
    public void ThreadsReportsTheThreadsTheKernelsUse()
    {
        // --threads 1 limits the kernels to one thread and reports 1 even on a multi-core machine; the limit is restored.
        int before = Gemm.MaxThreads;
        var output = new StringWriter();
        Assert.Equal(0, CliApp.Run(["bench", "--preset", "tiny", "--steps", "1", "--warmup", "0", "--json", "--threads", "1", "--no-ceiling"], output, new StringWriter()));
        using var doc = JsonDocument.Parse(output.ToString());
        Assert.Equal(1, doc.RootElement.GetProperty("threads").GetInt32());
        Assert.Equal(Environment.ProcessorCount, doc.RootElement.GetProperty("processors").GetInt32());
        Assert.Equal(before, Gemm.MaxThreads);

        foreach (string bad in new[] { "0", (Environment.ProcessorCount + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            var error = new StringWriter();
            Assert.Equal(2, CliApp.Run(["bench", "--preset", "tiny", "--threads", bad], new StringWriter(), error));
            Assert.StartsWith("error: --threads must be between 1 and", error.ToString());
        }
    }

    [Fact]
    public void FlopCountOfThePaperHeadDirectionStepIsAbout10Gflop()
    {
        // 128 hidden units, 1 input, 512 HD cells, batch 200 x 100: the readout products dominate.
        var p = BenchCommand.Presets.Single(x => x.Name == "paper-head-direction");
        Assert.Equal((128, 512, 200, 100, 1), (p.Hidden, p.Cells, p.Batch, p.Time, p.Inputs));
        Assert.Equal(0.1f, p.NoiseStd); // noise variance 1e-2, as the reproduce paper-hd presets
        Assert.Equal(0.5f, p.Dt);
        double flops = BenchCommand.StepFlops(p.Batch, p.Time, p.Inputs, p.Hidden, p.Cells, p.Cells);
        Assert.InRange(flops / 1e9, 9.5, 10.5);
    }

    [Fact]
    public void TinyHeadDirectionBenchWithBreakdownReportsEveryPhase()
    {
        var output = new StringWriter();
        int exit = CliApp.Run(["bench", "--preset", "tiny-head-direction", "--steps", "2", "--json", "--breakdown", "--no-ceiling"], output, new StringWriter());
        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(output.ToString());
        var root = doc.RootElement;
        Assert.Equal("tiny-head-direction", root.GetProperty("preset").GetString());
        Assert.True(root.GetProperty("median_step_ms").GetDouble() > 0);
        Assert.True(root.GetProperty("gflops").GetDouble() > 0);
        Assert.True(root.GetProperty("threads").GetInt32() >= 1);
        Assert.False(string.IsNullOrEmpty(root.GetProperty("isa_tier").GetString()));
        foreach (string phase in new[] { "data_ms", "noise_ms", "forward_loss_backward_ms", "adam_ms", "separate_targets_ms", "separate_forward_ms", "separate_loss_ms", "separate_backward_ms" })
            Assert.True(root.GetProperty(phase).GetDouble() >= 0, phase);
    }

    [Fact]
    public void PlainTextOutputNamesMedianGflopsTierAndThreads()
    {
        var output = new StringWriter();
        Assert.Equal(0, CliApp.Run(["bench", "--preset", "tiny", "--steps", "1"], output, new StringWriter()));
        string text = output.ToString();
        foreach (string key in new[] { "median_step_ms", "gflops", "isa_tier", "threads", "fma_ceiling_gflops", "fraction_of_ceiling" }) Assert.Contains(key, text);
        Assert.DoesNotContain("forward_loss_backward_ms", text); // the breakdown is opt-in
    }

    [Fact]
    public void UnknownPresetAndBadStepsAreOneLineErrors()
    {
        var error = new StringWriter();
        Assert.Equal(2, CliApp.Run(["bench", "--preset", "nope"], new StringWriter(), error));
        Assert.StartsWith("error: Unknown bench preset 'nope'", error.ToString());
        error = new StringWriter();
        Assert.Equal(2, CliApp.Run(["bench", "--steps", "0"], new StringWriter(), error));
        Assert.Contains("--steps must be >= 1", error.ToString());
    }

    [Fact]
    public void StepsSoLargeThatTheTotalOverflowsAreAnErrorNamingSteps()
    {
        // 2 warm-up steps and 1 evaluation step are added to --steps: int.MaxValue used to wrap to a negative
        // TrainingOptions.Steps and report "Steps must be > 0 ... -2147483646".
        var error = new StringWriter();
        Assert.Equal(2, CliApp.Run(["bench", "--preset", "tiny", "--steps", "2147483647"], new StringWriter(), error));
        Assert.StartsWith("error: --steps", error.ToString());
        Assert.DoesNotContain("-21474", error.ToString());
    }

    [Fact]
    public void WarmupIsReportedAndValidated()
    {
        var output = new StringWriter();
        Assert.Equal(0, CliApp.Run(["bench", "--preset", "tiny", "--steps", "2", "--warmup", "0", "--json", "--breakdown"], output, new StringWriter()));
        using var doc = JsonDocument.Parse(output.ToString());
        Assert.Equal(0, doc.RootElement.GetProperty("warmup_steps").GetInt32());
        Assert.True(doc.RootElement.GetProperty("forward_loss_backward_ms").GetDouble() > 0);

        output = new StringWriter();
        Assert.Equal(0, CliApp.Run(["bench", "--preset", "tiny", "--steps", "3", "--warmup", "7", "--json"], output, new StringWriter()));
        using var exact = JsonDocument.Parse(output.ToString());
        Assert.Equal(7, exact.RootElement.GetProperty("warmup_steps").GetInt32());
        Assert.Equal(3, exact.RootElement.GetProperty("timed_steps").GetInt32());

        // The default warm-up: the tiny preset's steps take well under a millisecond, so it runs FullWarmup steps.
        output = new StringWriter();
        Assert.Equal(0, CliApp.Run(["bench", "--preset", "tiny", "--steps", "1", "--json"], output, new StringWriter()));
        using var defaults = JsonDocument.Parse(output.ToString());
        Assert.Equal(BenchCommand.FullWarmup, defaults.RootElement.GetProperty("warmup_steps").GetInt32());

        foreach (string bad in new[] { "-1", "1000001" })
        {
            var error = new StringWriter();
            Assert.Equal(2, CliApp.Run(["bench", "--preset", "tiny", "--warmup", bad], new StringWriter(), error));
            Assert.StartsWith("error: --warmup must be between 0 and 1000000", error.ToString());
        }
    }
}
