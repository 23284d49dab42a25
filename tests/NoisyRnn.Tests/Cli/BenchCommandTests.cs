using System.Text.Json;
using NoisyRnn.Cli;
using NoisyRnn.Cli.Commands;

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
    public void UnknownPresetAndBadStepsAreOneLineErrors()
    {
        var error = new StringWriter();
        Assert.Equal(2, CliApp.Run(["bench", "--preset", "nope"], new StringWriter(), error));
        Assert.StartsWith("error: Unknown bench preset 'nope'", error.ToString());
        error = new StringWriter();
        Assert.Equal(2, CliApp.Run(["bench", "--steps", "0"], new StringWriter(), error));
        Assert.Contains("--steps must be >= 1", error.ToString());
    }
}
