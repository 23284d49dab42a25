using NoisyRnn.Cli;

namespace NoisyRnn.Tests.Cli;

/// <summary>Runs the command-line program in process, as the CLI tests do (<c>using static NoisyRnn.Tests.Cli.CliRun;</c>).</summary>
internal static class CliRun
{
    /// <summary>Runs <c>noisyrnn <paramref name="args"/></c>; returns the exit code and what it wrote to stdout and stderr.</summary>
    public static (int Exit, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = CliApp.Run(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
