using System.CommandLine;
using NoisyRnn.Cli.Commands;

namespace NoisyRnn.Cli;

/// <summary>The command line: parse, report bad arguments as one `error: ...` line with exit code 2, run.</summary>
internal static class CliApp
{
    /// <summary>Exit code of a run stopped by bad arguments or bad data.</summary>
    public const int UsageError = 2;

    public static RootCommand CreateRoot()
    {
        var root = new RootCommand("NoisyRnn: noisy RNNs that path-integrate and reactivate their waking states in quiescence (Krishna et al., ICLR 2024).");
        root.Subcommands.Add(ReproduceCommand.Create());
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(ReactivateCommand.Create());
        root.Subcommands.Add(ReplayCommand.Create());
        var presets = new Command("presets", "List the presets of `reproduce` (names and one-line descriptions).");
        presets.SetAction(parse =>
        {
            ReproduceCommand.WritePresets(parse.InvocationConfiguration.Output);
            return 0;
        });
        root.Subcommands.Add(presets);
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        return root;
    }

    public static int Run(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        var configuration = new InvocationConfiguration { Output = output ?? Console.Out, Error = error ?? Console.Error };
        ParseResult parse = CreateRoot().Parse(args);
        if (parse.Errors.Count > 0)
        {
            configuration.Error.WriteLine(ErrorLine(string.Join("; ", parse.Errors.Select(e => e.Message)) + " (see --help)"));
            return UsageError;
        }
        return parse.Invoke(configuration);
    }

    /// <summary>"error: " and the message on one line (exception messages such as ArgumentOutOfRangeException's span two).</summary>
    public static string ErrorLine(string message) =>
        "error: " + string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
