using System.CommandLine;
using System.Text.RegularExpressions;
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
            configuration.Error.WriteLine(ErrorLine(string.Join("; ", ParseErrors(parse)) + " (see --help)"));
            return UsageError;
        }
        return parse.Invoke(configuration);
    }

    /// <summary>
    /// The parse errors in the user's terms: an unknown option or command with the closest known name ("did you mean"),
    /// a value that does not parse with what was expected ("a number") instead of a .NET type name, and without the
    /// follow-on errors of the same mistake (the value after an unknown option, "Required command was not provided").
    /// </summary>
    internal static IReadOnlyList<string> ParseErrors(ParseResult parse)
    {
        Command command = parse.CommandResult.Command;
        var messages = new List<string>();
        bool afterUnknownOption = false, unknownCommand = false;
        foreach (var error in parse.Errors)
        {
            var unrecognized = Regex.Match(error.Message, "^Unrecognized command or argument '(.*)'\\.$");
            if (unrecognized.Success)
            {
                string token = unrecognized.Groups[1].Value;
                if (token.StartsWith('-'))
                {
                    messages.Add($"unknown option '{token}' for '{command.Name}'{Suggest.DidYouMean(token, OptionNames(command))}");
                    afterUnknownOption = true;
                }
                else if (afterUnknownOption)
                {
                    afterUnknownOption = false; // most likely the unknown option's value: one mistake, one message
                }
                else if (command.Subcommands.Count > 0)
                {
                    messages.Add($"unknown command '{token}'{Suggest.DidYouMean(token, command.Subcommands.Select(c => c.Name))}");
                    unknownCommand = true;
                }
                else
                {
                    messages.Add($"unexpected argument '{token}' for '{command.Name}'");
                }
                continue;
            }
            afterUnknownOption = false;
            messages.Add(Readable(error.Message, command));
        }
        if (unknownCommand) messages.RemoveAll(m => m.StartsWith("Required command was not provided", StringComparison.Ordinal));
        return messages;
    }

    /// <summary>The names and aliases of the options <paramref name="command"/> accepts, its own and its ancestors' recursive ones.</summary>
    private static IEnumerable<string> OptionNames(Command command)
    {
        var options = new List<Option>(command.Options);
        var parents = new Stack<Symbol>(command.Parents);
        while (parents.Count > 0)
        {
            var parent = parents.Pop();
            if (parent is Command c) options.AddRange(c.Options.Where(o => o.Recursive));
            foreach (var p in parent.Parents) parents.Push(p);
        }
        return options.SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith('-'));
    }

    /// <summary>Replaces "as expected type 'System.Nullable`1[System.Double]'" with what the option expects in words.</summary>
    private static string Readable(string message, Command command)
    {
        var typed = Regex.Match(message, "^Cannot parse argument '(.*)' for (option|command|argument) '([^']*)' as expected type '([^']*)'\\.?"); // System.CommandLine may append its own suggestions: the expected values replace them
        if (!typed.Success) return message;
        string value = typed.Groups[1].Value, kind = typed.Groups[2].Value, name = typed.Groups[3].Value;
        Type? type = command.Options.FirstOrDefault(o => o.Name == name || o.Aliases.Contains(name))?.ValueType
            ?? command.Arguments.FirstOrDefault(a => a.Name == name)?.ValueType;
        return $"'{value}' is not a valid value for {kind} '{name}': expected {Expected(type, typed.Groups[4].Value)}";
    }

    /// <summary>What a value of <paramref name="type"/> looks like, in words (the type's short name when it is unknown).</summary>
    internal static string Expected(Type? type, string typeName)
    {
        type = type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
        if (type is not null && type.IsArray) type = type.GetElementType();
        if (type is not null && type.IsEnum) return "one of: " + string.Join(", ", Enum.GetNames(type));
        string name = type?.FullName ?? Regex.Match(typeName, "([A-Za-z0-9_.]+)\\]*$").Groups[1].Value;
        return name switch
        {
            "System.Double" or "System.Single" or "System.Decimal" => "a number, such as 0.001 or 1e-3",
            "System.Int32" or "System.Int64" or "System.Int16" => "a whole number",
            "System.UInt32" or "System.UInt64" or "System.UInt16" or "System.Byte" => "a whole number >= 0",
            "System.Boolean" => "true or false",
            _ => "a " + name[(name.LastIndexOf('.') + 1)..],
        };
    }

    /// <summary>
    /// "error: " and the message on one line, in the user's terms: exception messages such as ArgumentOutOfRangeException's
    /// span two lines and end in " (Parameter 'name')" and "Actual value was X."; the parameter name is a .NET internal and
    /// is dropped, the actual value kept when the message does not already say it.
    /// </summary>
    public static string ErrorLine(string message)
    {
        string text = string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        text = Regex.Replace(text, " ?\\(Parameter '[^']*'\\)", "");
        var actual = Regex.Match(text, " ?Actual value was (.*?)\\.?$");
        if (actual.Success)
        {
            string before = text[..actual.Index], value = actual.Groups[1].Value;
            text = before.Contains(value, StringComparison.Ordinal) ? before : $"{before.TrimEnd('.')}; got {value}.";
        }
        return "error: " + text;
    }
}
