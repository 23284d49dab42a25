using System.Globalization;
using System.Text;
using System.Text.Json;
using NoisyRnn.Cli;
using static NoisyRnn.Tests.Cli.CliRun;

namespace NoisyRnn.Tests.Cli;

/// <summary>`noisyrnn replay`: a smoke-trained network driven by a small recording written here, then in quiescence.</summary>
public class ReplayCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "noisyrnn-replay-" + Guid.NewGuid().ToString("N"));

    public ReplayCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    private string Train(string name, params string[] extra)
    {
        string run = Path.Combine(_dir, name);
        var (exit, _, error) = Run(["reproduce", "--preset", "smoke", "--no-plots", "--out", run, .. extra]);
        Assert.True(exit == 0, error);
        return Path.Combine(run, "noise-trained", "model.nrnn");
    }

    // A smooth loop inside the 2.2 m box sampled at 30 Hz (resampled to the task's 0.02 s steps): x = 0.6 cos(0.8 t), y = 0.4 sin(1.6 t).
    private string Positions(double seconds, string name = "loop.csv")
    {
        var csv = new StringBuilder("t,x,y\n");
        for (int i = 0; i <= (int)(seconds * 30); i++)
        {
            double t = i / 30.0;
            csv.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{t},{0.6 * Math.Cos(0.8 * t)},{0.4 * Math.Sin(1.6 * t)}"));
        }
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, csv.ToString());
        return path;
    }

    [Fact]
    public void PositionRecordingIsReplayedAndItsQuiescenceMeasured()
    {
        string model = Train("spatial");
        string csv = Positions(6);
        string outDir = Path.Combine(_dir, "out");
        // No --config: the config.json beside the network's folder is used, and the folder name gives the training std.
        var (exit, output, error) = Run("replay", "--model", model, "--trajectories", csv, "--out", outDir);
        Assert.True(exit == 0, error);
        Assert.Contains("window(s) of 20 steps", output);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        var s = doc.RootElement;
        Assert.Equal("spatial", s.GetProperty("task").GetString());
        Assert.Equal("m", s.GetProperty("decoding_unit").GetString());
        // 6 s at 0.02 s is 301 samples: 15 windows of 20 steps.
        Assert.Equal(15, s.GetProperty("windows").GetInt32());
        Assert.Equal(0.01, s.GetProperty("training_std").GetDouble(), 6);
        Assert.Equal(0.01 * Math.Sqrt(2), s.GetProperty("quiescent_noise_std").GetDouble(), 5);
        Assert.InRange(s.GetProperty("decoding_error").GetDouble(), 0, 3.2);
        // The loop's speed is at most about 0.8 m/s: under 0.02 m per 0.02 s step.
        Assert.InRange(s.GetProperty("recorded_step_distance").GetDouble(), 0.001, 0.02);
        Assert.True(s.GetProperty("quiescent_output_variance").GetDouble() >= 0);
        Assert.True(s.GetProperty("quiescent_step_distance").GetDouble() >= 0);
        var kl = s.GetProperty("kl_quiescent_to_active");
        Assert.True(kl.ValueKind == JsonValueKind.Null ? s.GetProperty("kl_note").GetString() is not null : double.IsFinite(kl.GetDouble()));
        Assert.Equal("replay.png", s.GetProperty("figures")[0].GetString());
        var png = new FileInfo(Path.Combine(outDir, "replay.png"));
        Assert.True(png.Exists && png.Length > 1000);
    }

    [Fact]
    public void HeadingRecordingIsReplayedOnAHeadDirectionNetwork()
    {
        string model = Train("hd", "--task", "head-direction");
        var csv = new StringBuilder("t,heading\n");
        for (int i = 0; i <= 150; i++) csv.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{i / 50.0},{3 * Math.Sin(i / 20.0)}"));
        string path = Path.Combine(_dir, "heading.csv");
        File.WriteAllText(path, csv.ToString());
        string outDir = Path.Combine(_dir, "out-hd");
        var (exit, _, error) = Run("replay", "--model", model, "--trajectories", path, "--out", outDir, "--quiescence", "absolute", "--quiescent-std", "0.05");
        Assert.True(exit == 0, error);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        var s = doc.RootElement;
        Assert.Equal("head-direction", s.GetProperty("task").GetString());
        Assert.Equal("rad", s.GetProperty("decoding_unit").GetString());
        Assert.Equal(7, s.GetProperty("windows").GetInt32());
        Assert.InRange(s.GetProperty("decoding_error").GetDouble(), 0, Math.PI);
        Assert.Equal(0.05, s.GetProperty("quiescent_noise_std").GetDouble(), 6);
        Assert.True(File.Exists(Path.Combine(outDir, "replay.png")));
    }

    [Fact]
    public void BadRecordingsAreOneLineErrors()
    {
        string model = Train("bad");
        string bad = Path.Combine(_dir, "bad.csv");
        File.WriteAllText(bad, "t,x,y\n0,0,0\n0.02,abc,0\n");
        AssertError(["replay", "--model", model, "--trajectories", bad, "--no-plots", "--out", Path.Combine(_dir, "o1")], "line 3:", "bad.csv");

        string outside = Path.Combine(_dir, "outside.csv");
        File.WriteAllText(outside, "t,x,y\n0,0,0\n0.02,2.5,0\n");
        AssertError(["replay", "--model", model, "--trajectories", outside, "--no-plots", "--out", Path.Combine(_dir, "o2")], "line 3:", "outside the box");

        AssertError(["replay", "--model", model, "--trajectories", Positions(0.2, "short.csv"), "--no-plots", "--out", Path.Combine(_dir, "o3")], "No segment holds a window of 20 steps");

        string heading = Path.Combine(_dir, "h.csv");
        File.WriteAllText(heading, "t,heading\n" + string.Join("\n", Enumerable.Range(0, 60).Select(i => string.Create(CultureInfo.InvariantCulture, $"{i * 0.02},{0.01 * i}"))));
        AssertError(["replay", "--model", model, "--trajectories", heading, "--no-plots", "--out", Path.Combine(_dir, "o4")], "head-direction");

        AssertError(["replay", "--model", model, "--trajectories", Path.Combine(_dir, "none.csv"), "--out", Path.Combine(_dir, "o5")], "does not exist");
        AssertError(["replay", "--model", Path.Combine(_dir, "none.nrnn"), "--trajectories", bad, "--out", Path.Combine(_dir, "o6")], "--model");
        AssertError(["replay", "--model", model, "--trajectories", Positions(6), "--window-steps", "0", "--out", Path.Combine(_dir, "o7")], "--window-steps");
    }

    [Fact]
    public void RecordingTooLongForOneBatchIsAOneLineError()
    {
        // 4096 place cells x 20 steps x 26250 windows overflows one array; it used to crash with an OverflowException.
        string model = Train("wide", "--place-cells", "4096");
        string csv = Path.Combine(_dir, "long.csv");
        File.WriteAllText(csv, "t,x,y\n0,0,0\n10500,0.1,0.1\n");
        AssertError(["replay", "--model", model, "--trajectories", csv, "--max-gap", "1e9", "--no-plots", "--out", Path.Combine(_dir, "o")], "26250 windows");
    }

    [Fact]
    public void WindowOfOneStepIsAnErrorNamingTheOption()
    {
        // The step-distance metrics need two states per window; this used to fail deep in the analysis ("Parameter 'time'").
        string model = Train("one");
        AssertError(["replay", "--model", model, "--trajectories", Positions(2), "--window-steps", "1", "--no-plots", "--out", Path.Combine(_dir, "o")], "--window-steps", "at least 2");
    }

    [Fact]
    public void AnUnreadableRecordingIsReportedBeforeTheNetworkKind()
    {
        // An empty file or a wrong header on a head-direction network used to be reported as "a position (t,x,y)
        // recording", blaming the network instead of the file.
        string model = Train("hd", "--task", "hd");
        string empty = Path.Combine(_dir, "empty.csv");
        File.WriteAllText(empty, "");
        AssertError(["replay", "--model", model, "--trajectories", empty, "--no-plots", "--out", Path.Combine(_dir, "o1")], "empty");
        string header = Path.Combine(_dir, "header.csv");
        File.WriteAllText(header, "time,angle\n0,0\n");
        AssertError(["replay", "--model", model, "--trajectories", header, "--no-plots", "--out", Path.Combine(_dir, "o2")], "header");
    }

    [Fact]
    public void ATrainingStdThatMakesTheActiveRunNonFiniteIsAnErrorNamingIt()
    {
        // 3e38 per-step noise overflows the outputs; the error was the decoder's "activations must be finite ...
        // (Parameter 'activations')", which names no option.
        string model = Train("overflow", "--task", "hd");
        string csv = Path.Combine(_dir, "h.csv");
        File.WriteAllText(csv, "t,heading\n" + string.Join("\n", Enumerable.Range(0, 60).Select(i => string.Create(CultureInfo.InvariantCulture, $"{i * 0.02},{0.01 * i}"))));
        AssertError(["replay", "--model", model, "--trajectories", csv, "--training-std", "3e38", "--no-plots", "--out", Path.Combine(_dir, "o")], "--training-std", "not finite");
    }

    private static void AssertError(string[] args, params string[] expected)
    {
        var (exit, _, error) = Run(args);
        Assert.Equal(CliApp.UsageError, exit);
        // Warnings about overridden settings may come first; the error is one line, the last.
        string[] lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("WARNING: ", StringComparison.Ordinal)).ToArray();
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        foreach (string e in expected) Assert.Contains(e, lines[0]);
    }
}
