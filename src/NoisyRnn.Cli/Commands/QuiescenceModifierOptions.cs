using System.CommandLine;
using System.Globalization;
using NoisyRnn.Experiments;
using NoisyRnn.Models;

namespace NoisyRnn.Cli.Commands;

/// <summary>
/// The quiescence-modifier options of `reproduce` and `reactivate` (<see cref="DynamicsModifiers"/>, docs/replay.md):
/// --momentum M, --adaptation B, --adaptation-tau T, --quiescent-leak A. `reactivate` takes comma lists (a sweep over
/// every combination); `reproduce` takes one value each, written into the config. `reproduce` also takes the training
/// modifiers --train-momentum M, --train-adaptation B, --train-adaptation-tau T (<see cref="RecurrentNetwork{TOptions, TTape}.Dynamics"/>; the
/// config's training_* fields), with the same ranges and checks.
/// </summary>
internal sealed class QuiescenceModifierOptions
{
    public Option<string?> Momentum { get; } = new("--momentum")
    {
        Description = "Quiescence momentum M in [0, 1): the fraction of velocity kept per step (underdamped Langevin; 0 = the paper's dynamics).",
    };

    public Option<string?> Adaptation { get; } = new("--adaptation")
    {
        Description = "Quiescence adaptation strength b >= 0, subtracted inside the activation (Levenstein et al. 2024; 0 = none).",
    };

    public Option<string?> AdaptationTau { get; } = new("--adaptation-tau")
    {
        Description = "Adaptation time constant tau_a in steps, >= 1 (default 8).",
    };

    public Option<string?> Leak { get; } = new("--quiescent-leak")
    {
        Description = "Leak dt/tau used in quiescence, in (0, 1] (default: the network's own).",
    };

    /// <summary>The four options, to add to a command.</summary>
    public IEnumerable<Option> All => [Momentum, Adaptation, AdaptationTau, Leak];

    public Option<string?> TrainMomentum { get; } = new("--train-momentum")
    {
        Description = "Momentum M in [0, 1) in the network's own dynamics, in training and evaluation (vanilla RNN or GRU; 0 = the paper's cell).",
    };

    public Option<string?> TrainAdaptation { get; } = new("--train-adaptation")
    {
        Description = "Adaptation strength b >= 0 in the network's own dynamics, in training and evaluation (vanilla RNN or GRU; 0 = none).",
    };

    public Option<string?> TrainAdaptationTau { get; } = new("--train-adaptation-tau")
    {
        Description = "Time constant tau_a in steps, >= 1, of --train-adaptation (default 8).",
    };

    /// <summary>The three training options, to add to a command.</summary>
    public IEnumerable<Option> Training => [TrainMomentum, TrainAdaptation, TrainAdaptationTau];

    /// <summary>The configuration with the training options given (one value each) in its training_* fields; an option not
    /// given keeps the value of <paramref name="p"/>.</summary>
    /// <exception cref="ArgumentException">A value is not a number, out of range or a list; ParamName and message name the option.</exception>
    public ExperimentConfig ApplyTraining(ParseResult parse, ExperimentConfig p)
    {
        double momentum = Values(parse, TrainMomentum, false, v => v >= 0 && v < 1, "in [0, 1)")?[0] ?? p.TrainingMomentum;
        double adaptation = Values(parse, TrainAdaptation, false, v => v >= 0 && double.IsFinite(v), "finite and >= 0")?[0] ?? p.TrainingAdaptation;
        double tau = Values(parse, TrainAdaptationTau, false, v => v >= 1 && double.IsFinite(v), "finite and >= 1 (steps)")?[0] ?? p.TrainingAdaptationTau;
        return p with { TrainingMomentum = momentum, TrainingAdaptation = adaptation, TrainingAdaptationTau = tau };
    }

    /// <summary>One setting of the four modifiers.</summary>
    public sealed record Setting(double Momentum, double Adaptation, double AdaptationTau, double? Leak)
    {
        public DynamicsModifiers Modifiers => new() { Momentum = Momentum, Adaptation = Adaptation, AdaptationTimeConstant = AdaptationTau, Leak = Leak };

        /// <summary>The configuration with this setting in its quiescent_* fields.</summary>
        public ExperimentConfig ApplyTo(ExperimentConfig p) =>
            p with { QuiescentMomentum = Momentum, QuiescentAdaptation = Adaptation, QuiescentAdaptationTau = AdaptationTau, QuiescentLeak = Leak };
    }

    /// <summary>
    /// Every combination of the given values (momentum slowest, then adaptation, tau and leak); an option not given keeps
    /// the value of <paramref name="p"/>. With <paramref name="allowLists"/> false each option takes one value.
    /// </summary>
    /// <exception cref="ArgumentException">A value is not a number or out of range, or a list where one value is expected;
    /// ParamName and message name the option and the valid range.</exception>
    public IReadOnlyList<Setting> Settings(ParseResult parse, ExperimentConfig p, bool allowLists)
    {
        double[] momentum = Values(parse, Momentum, allowLists, v => v >= 0 && v < 1, "in [0, 1)") ?? [p.QuiescentMomentum];
        double[] adaptation = Values(parse, Adaptation, allowLists, v => v >= 0 && double.IsFinite(v), "finite and >= 0") ?? [p.QuiescentAdaptation];
        double[] tau = Values(parse, AdaptationTau, allowLists, v => v >= 1 && double.IsFinite(v), "finite and >= 1 (steps)") ?? [p.QuiescentAdaptationTau];
        double?[] leak = Values(parse, Leak, allowLists, v => v > 0 && v <= 1, "in (0, 1]")?.Select(v => (double?)v).ToArray() ?? [p.QuiescentLeak];
        return [.. from m in momentum from b in adaptation from t in tau from a in leak select new Setting(m, b, t, a)];
    }

    /// <summary>The values of one option (comma-separated), or null when it is not given.</summary>
    private static double[]? Values(ParseResult parse, Option<string?> option, bool allowLists, Func<double, bool> valid, string range)
    {
        string? text = parse.GetValue(option);
        if (text is null) return null;
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length > 1 && !allowLists)
            throw new ArgumentException($"{option.Name} is '{text}'; expected one value {range}" +
                                        (option.Name.StartsWith("--train-", StringComparison.Ordinal) ? "." : " (lists are for reactivate's sweep)."), option.Name);
        var values = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !valid(values[i]))
                throw new ArgumentException($"{option.Name} has '{parts[i]}'; expected {(allowLists ? "numbers" : "a number")} {range}" +
                                            (allowLists ? ", comma-separated." : "."), option.Name);
        }
        if (values.Distinct().Count() != values.Length)
            throw new ArgumentException($"{option.Name} lists '{text}' with a value twice; expected distinct values.", option.Name);
        return values;
    }
}
