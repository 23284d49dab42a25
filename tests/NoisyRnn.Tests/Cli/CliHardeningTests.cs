using NoisyRnn.Cli;

namespace NoisyRnn.Tests.Cli;

/// <summary>Bad command lines: one `error: ...` line on stderr, exit code 2, never a stack trace.</summary>
public class CliHardeningTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "noisyrnn-cli-hardening-" + Guid.NewGuid().ToString("N"));

    public CliHardeningTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    private static (int Exit, string Error) Run(params string[] args)
    {
        var (exit, _, error) = CliRun.Run(args);
        return (exit, error);
    }

    private static void AssertOneErrorLine(string error, string expected)
    {
        string[] lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line, got:\n{error}");
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(expected, lines[0]);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void AnOutFolderThatCannotBeCreatedIsReportedBeforeAnyWork()
    {
        // A folder below an existing file cannot be created (root can write anywhere, so permissions cannot be used here).
        // replay and reactivate used to find out only after their analysis, with the bare .NET path message.
        string file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "x");
        string bad = Path.Combine(file, "sub");
        string csv = Path.Combine(_dir, "r.csv");
        File.WriteAllText(csv, "t,x,y\n0,0,0\n");
        string[][] commands =
        [
            ["reproduce", "--preset", "smoke", "--no-plots", "--out", bad],
            // The model is not read before the folder check: a placeholder file is enough.
            ["replay", "--model", file, "--trajectories", csv, "--out", bad],
            ["reactivate", "--model", file, "--out", bad],
        ];
        foreach (string[] args in commands)
        {
            var (exit, error) = Run(args);
            Assert.Equal(2, exit);
            AssertOneErrorLine(error, "--out");
            Assert.Contains("cannot be created or written", error);
        }
        Assert.False(Directory.Exists(bad));
    }

    [Fact]
    public void OutPointingAtAFileIsAnError()
    {
        string file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "x");
        var (exit, error) = Run("reproduce", "--preset", "smoke", "--no-plots", "--out", file);
        Assert.Equal(2, exit);
        AssertOneErrorLine(error, "is an existing file");
    }

    [Fact]
    public void OutUnderAFileIsAnError()
    {
        string file = Path.Combine(_dir, "b-file");
        File.WriteAllText(file, "x");
        var (exit, error) = Run("reproduce", "--preset", "smoke", "--no-plots", "--out", Path.Combine(file, "sub"));
        Assert.Equal(2, exit);
        AssertOneErrorLine(error, "");
    }

    [Theory]
    [InlineData("--steps", "abc", "abc")]
    [InlineData("--noise-std", "inf", "inf")]
    [InlineData("--noise-distribution", "Cauchy", "Cauchy")]
    [InlineData("--bogus", "1", "--bogus")]
    public void ParseErrorsAreOneLineWithExitCodeTwo(string option, string value, string expected)
    {
        var (exit, error) = Run("reproduce", "--preset", "smoke", "--no-plots", "--out", Path.Combine(_dir, "p"), option, value);
        Assert.Equal(2, exit);
        AssertOneErrorLine(error, expected);
    }

    [Theory]
    [InlineData("--steps", "0", "config.steps must be > 0")]
    [InlineData("--hidden", "-5", "config.hidden_size must be > 0")]
    [InlineData("--hidden", "1000000", "parameters; expected at most")] // used to overflow int arithmetic: an unhandled OverflowException
    [InlineData("--lr", "nan", "config.learning_rate")]
    [InlineData("--noise-std", "-1", "config.noise_std")]
    [InlineData("--place-cells", "2", "at least 3")] // used to train, then fail at the first evaluation with "k must be in [1, 2]"
    public void BadValuesAreOneLineWithExitCodeTwo(string option, string value, string expected)
    {
        var (exit, error) = Run("reproduce", "--preset", "smoke", "--no-plots", "--out", Path.Combine(_dir, "v"), option, value);
        Assert.Equal(2, exit);
        AssertOneErrorLine(error, expected);
    }

    [Fact]
    public void ResumingAFinishedRunSucceeds()
    {
        string dir = Path.Combine(_dir, "r");
        Assert.Equal(0, Run("reproduce", "--preset", "smoke", "--no-plots", "--out", dir).Exit);
        var (exit, error) = Run("reproduce", "--preset", "smoke", "--no-plots", "--out", dir, "--resume");
        Assert.True(exit == 0, error);
    }

    [Fact]
    public void BatchOfOneRuns()
    {
        var (exit, error) = Run("reproduce", "--preset", "smoke", "--no-plots", "--out", Path.Combine(_dir, "b1"), "--batch", "1");
        Assert.True(exit == 0, error);
    }
}
