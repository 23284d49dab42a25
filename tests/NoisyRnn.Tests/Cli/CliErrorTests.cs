using System.Text.Json;
using System.Text.RegularExpressions;
using NoisyRnn.Cli;
using NoisyRnn.Cli.Commands;
using static NoisyRnn.Tests.Cli.CliRun;

namespace NoisyRnn.Tests.Cli;

/// <summary>Errors in the user's terms (issue 14): no .NET type or parameter names, "did you mean" for mistyped names,
/// compare refusing to pool different configurations, and the build's version and commit.</summary>
public class CliErrorTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "noisyrnn-cli-errors-" + Guid.NewGuid().ToString("N"));

    public CliErrorTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    /// <summary>One `error: ...` line with no .NET internals, exit code 2; returns the line.</summary>
    private static string OneCleanErrorLine(int exit, string error)
    {
        Assert.Equal(CliApp.UsageError, exit);
        string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.DoesNotContain("System.", line);
        Assert.DoesNotContain("`1", line);
        Assert.DoesNotContain("(Parameter", line);
        return line;
    }

    [Theory]
    [InlineData("--lr", "abc", "a number")]
    [InlineData("--steps", "1.5", "a whole number")]
    [InlineData("--seed", "x", "a whole number >= 0")]
    [InlineData("--noise-distribution", "Gauss", "one of: StandardNormal, Uniform01")]
    public void AValueThatDoesNotParseSaysWhatWasExpected(string option, string value, string expected)
    {
        var (exit, _, error) = Run("reproduce", option, value, "--no-plots", "--out", Path.Combine(_dir, "run"));
        string line = OneCleanErrorLine(exit, error);
        Assert.Contains($"'{value}' is not a valid value for option '{option}': expected {expected}", line);
        Assert.False(Directory.Exists(Path.Combine(_dir, "run")));
    }

    [Fact]
    public void AMistypedOptionGetsOneErrorWithASuggestion()
    {
        var (exit, _, error) = Run("reproduce", "--lrr", "0.1");
        string line = OneCleanErrorLine(exit, error);
        Assert.Contains("unknown option '--lrr' for 'reproduce' (did you mean '--lr'?)", line);
        Assert.DoesNotContain("'0.1'", line); // the option's value is not a second mistake
    }

    [Fact]
    public void AMistypedCommandGetsASuggestionAndNoFollowOnError()
    {
        var (exit, _, error) = Run("reproduc", "--preset", "smoke");
        string line = OneCleanErrorLine(exit, error);
        Assert.Contains("unknown command 'reproduc' (did you mean 'reproduce'?)", line);
        Assert.DoesNotContain("Required command", line);
    }

    [Fact]
    public void ExceptionMessagesLoseTheParameterNameAndKeepTheValue()
    {
        Assert.Equal("error: Unknown preset 'x'.", CliApp.ErrorLine(new ArgumentException("Unknown preset 'x'.", "name").Message));
        Assert.Equal("error: steps must be > 0; got -3.", CliApp.ErrorLine(new ArgumentOutOfRangeException("steps", -3, "steps must be > 0.").Message));
        Assert.Equal("error: steps must be > 0; got -3.", CliApp.ErrorLine(new ArgumentOutOfRangeException("steps", -3, "steps must be > 0; got -3.").Message));
        Assert.Equal("error: plain message", CliApp.ErrorLine("plain message"));
    }

    [Fact]
    public void AnUnknownPresetIsReportedWithoutParameterName()
    {
        var (exit, _, error) = Run("reproduce", "--preset", "quik", "--no-plots", "--out", Path.Combine(_dir, "p"));
        string line = OneCleanErrorLine(exit, error);
        Assert.Contains("quik", line);
    }

    [Fact]
    public void SuggestFindsCloseNamesAndNothingForFarOnes()
    {
        string[] presets = ["quick", "paper", "smoke", "paper-spatial-unbiased", "paper-hd-biased"];
        Assert.Equal("quick", Suggest.Closest("quik", presets));
        Assert.Equal("paper-hd-biased", Suggest.Closest("paper-hd-baised", presets)); // a swap is one edit
        Assert.Equal("paper-spatial-unbiased", Suggest.Closest("paper-spatial", presets)); // the only longer name it starts
        Assert.Null(Suggest.Closest("banana", presets));
        Assert.Null(Suggest.Closest("paper", presets)); // an exact name needs no suggestion
        Assert.Equal("--hidden", Suggest.Closest("--hiden", ["--hidden", "--help", "--hd-cells"]));
        Assert.Equal(" (did you mean 'smoke'?)", Suggest.DidYouMean("smoek", presets));
        Assert.Equal("", Suggest.DidYouMean("zzzzzz", presets));
    }

    /// <summary>A minimal reproduce summary.json: the settings compare checks and one run with the compared metrics.</summary>
    private string Summary(string name, string preset, ulong seed, int steps, string task = "spatial", string unit = "m")
    {
        string folder = Path.Combine(_dir, name);
        Directory.CreateDirectory(folder);
        var summary = new
        {
            preset,
            seed,
            task,
            settings = new { name = preset, seed, task, steps, hidden_size = 16 },
            runs = new[]
            {
                new { name = "noise-trained/scaled", decoding_unit = unit, quiescent_output_variance = 0.2 + seed, quiescent_step_distance = 0.03, kl_quiescent_to_active = 0.1 },
            },
        };
        File.WriteAllText(Path.Combine(folder, "summary.json"), JsonSerializer.Serialize(summary));
        return folder;
    }

    [Fact]
    public void CompareRefusesToPoolDifferentPresetsOrTasksUnlessAllowed()
    {
        string quick = Summary("quick0", "quick", 0, 1000), quick1 = Summary("quick1", "quick", 1, 1000), smoke = Summary("smoke0", "smoke", 0, 4);
        string hd = Summary("hd", "quick", 2, 1000, task: "head-direction");

        // Seeds of one configuration pool.
        Assert.Equal(2, CompareCommand.Compare([quick, quick1]).Folders.Count);

        var (exit, _, error) = Run("compare", quick, smoke, "--no-plots", "--out", Path.Combine(_dir, "cmp"));
        string line = OneCleanErrorLine(exit, error);
        Assert.Contains("different settings", line);
        Assert.Contains("preset \"smoke\" vs \"quick\"", line);
        Assert.Contains("steps 4 vs 1000", line);
        Assert.Contains("--allow-mixed", line);
        Assert.False(File.Exists(Path.Combine(_dir, "cmp", "compare.json")));

        var task = Assert.Throws<ArgumentException>(() => CompareCommand.Compare([quick, hd]));
        Assert.Contains("task \"head-direction\" vs \"spatial\"", task.Message);

        // The folder list would swallow a mistyped option as a folder name.
        var (typo, _, typoError) = Run("compare", quick, smoke, "--allow-mixd", "--no-plots");
        Assert.Contains("unknown option '--allow-mixd' for 'compare' (did you mean '--allow-mixed'?)", OneCleanErrorLine(typo, typoError));

        var (ok, output, okError) = Run("compare", quick, smoke, "--allow-mixed", "--no-plots", "--out", Path.Combine(_dir, "cmp"));
        Assert.True(ok == 0, okError);
        Assert.Contains("Compared 2 runs", output);
    }

    [Fact]
    public void BuildInfoCarriesTheVersionOfDirectoryBuildPropsAndACommit()
    {
        string root = Path.GetDirectoryName(Fixtures.ReferenceFixtures.RepositoryDirectory)!;
        root = Path.GetFullPath(Path.Combine(root, "..", ".."));
        string props = File.ReadAllText(Path.Combine(root, "Directory.Build.props"));
        string version = Regex.Match(props, "<Version>([^<]+)</Version>").Groups[1].Value;
        Assert.Equal(version, BuildInfo.Version);
        // A build inside a git checkout (this one) knows its commit; elsewhere the commit reads "unknown".
        if (Directory.Exists(Path.Combine(root, ".git")) || File.Exists(Path.Combine(root, ".git")))
            Assert.Matches("^[0-9a-f]{40}$", BuildInfo.Commit);
        else
            Assert.Equal(BuildInfo.UnknownCommit, BuildInfo.Commit);
    }

    [Fact]
    public void BuildInfoParsesTheInformationalVersion()
    {
        Assert.Equal(("0.1.0", "abc123"), BuildInfo.Parse("0.1.0+abc123"));
        Assert.Equal(("0.1.0", "unknown"), BuildInfo.Parse("0.1.0"));
        Assert.Equal(("0.1.0", "unknown"), BuildInfo.Parse("0.1.0+"));
        Assert.Equal(("unknown", "unknown"), BuildInfo.Parse(null));
    }

    [Theory]
    [InlineData("--steps", "-5", "--steps: config.steps must be > 0; got -5.")]
    [InlineData("--hidden", "0", "--hidden: config.hidden_size must be > 0; got 0.")]
    [InlineData("--task", "spatil", "--task: unknown task 'spatil' (did you mean 'spatial'?); expected spatial or head-direction (hd).")]
    [InlineData("--model", "gur", "--model: unknown model 'gur' (did you mean 'gru'?); expected vanilla or gru.")]
    public void AnOverrideThatTheConfigRefusesNamesTheOption(string option, string value, string expected)
    {
        var (exit, _, error) = Run("reproduce", option, value, "--no-plots", "--out", Path.Combine(_dir, "run"));
        Assert.Equal("error: " + expected, OneCleanErrorLine(exit, error));
        Assert.False(Directory.Exists(Path.Combine(_dir, "run")));
    }

    [Fact]
    public void AnUnknownPresetListsThePlanNameToo()
    {
        var (exit, _, error) = Run("reproduce", "--preset", "paper-al", "--out", Path.Combine(_dir, "run"));
        string line = OneCleanErrorLine(exit, error);
        Assert.Contains("unknown preset 'paper-al' (did you mean 'paper-all'?)", line);
        Assert.EndsWith("paper-hd-biased, paper-all.", line);
    }

    [Fact]
    public void AFailedReactivateLeavesNoFolderBehind()
    {
        string dir = Path.Combine(_dir, "reactivate");
        var (exit, _, error) = Run("reactivate", "--model", Path.Combine(_dir, "missing", "model.nrnn"), "--out", dir);
        Assert.Contains("does not exist; expected a model.nrnn", OneCleanErrorLine(exit, error));
        Assert.False(Directory.Exists(dir));
    }
}
