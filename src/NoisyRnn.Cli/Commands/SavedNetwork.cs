using System.Globalization;
using NoisyRnn.Experiments;
using NoisyRnn.Training;

namespace NoisyRnn.Cli.Commands;

/// <summary>
/// A network saved by `reproduce`, with the settings of the run that trained it, for `reactivate` and `replay`: its own
/// context (in the checkpoint, or for older checkpoints the config.json of its run folder), with the command line's
/// --config/--preset, --seed and --training-std as optional overrides that are announced loudly when they disagree with it.
/// </summary>
internal sealed record SavedNetwork(CheckpointData Checkpoint, ExperimentConfig Config, float TrainingStd, string Network, string Source)
{
    /// <summary>Loads <paramref name="path"/> and resolves its settings; <paramref name="warn"/> receives override warnings.</summary>
    /// <exception cref="ArgumentException">No context and no --config/--preset, or a bad override (named).</exception>
    public static SavedNetwork Load(string path, string? configPath, string? presetName, ulong? seed, float? trainingStd, TextWriter warn)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("--model is empty; expected the path of a model.nrnn.", "--model");
        if (!File.Exists(path)) throw new ArgumentException($"--model '{path}' does not exist; expected a model.nrnn written by reproduce.", "--model");
        if (configPath is not null && presetName is not null) throw new ArgumentException("--config and --preset both given; expected one of them.", "--config");
        if (trainingStd is { } ts && !(float.IsFinite(ts) && ts >= 0))
            throw new ArgumentException($"--training-std is {ts.ToString(CultureInfo.InvariantCulture)}; expected a finite value >= 0.", "--training-std");
        var checkpoint = Training.Checkpoint.Load(path);
        var context = NetworkContext.Resolve(path, checkpoint);
        string network = context?.Context.Network ?? Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) ?? "network";

        ExperimentConfig config;
        string source;
        if (configPath is not null || presetName is not null)
        {
            config = configPath is not null ? ExperimentConfig.Load(configPath) : ExperimentPresets.Find(presetName!);
            source = configPath is not null ? $"--config {configPath}" : $"--preset {presetName}";
            if (context is { } c && ExperimentConfigJson.FirstDifference(c.Context.Config with { Name = config.Name }, config with { Seed = seed ?? config.Seed }) is { } difference)
                Warn(warn, $"{source} differs from the network's own settings ({c.Source}): {difference.Replace(" there, ", " in the network's run, ", StringComparison.Ordinal)} given; its numbers will not match the run that trained it.");
        }
        else if (context is { } c)
        {
            config = c.Context.Config;
            source = c.Source == "checkpoint" ? "the network's checkpoint" : c.Source;
        }
        else
        {
            throw new ArgumentException($"--model '{path}' carries no settings (a checkpoint written before networks carried their context, outside a reproduce run folder); " +
                                        "give the run's --config (or --preset and --seed) and --training-std.", "--model");
        }
        if (seed is { } sd)
        {
            if (context is { } c && c.Context.Config.Seed != sd && configPath is null && presetName is null)
                Warn(warn, $"--seed {sd} overrides the network's own seed {c.Context.Config.Seed}; its place cells and held-out batch differ from the run that trained it.");
            config = config with { Seed = sd };
        }
        float training;
        if (trainingStd is { } t)
        {
            if (context is { } c && c.Context.TrainingNoiseStd != t)
                Warn(warn, $"--training-std {t.ToString(CultureInfo.InvariantCulture)} overrides the network's own training std {c.Context.TrainingNoiseStd.ToString(CultureInfo.InvariantCulture)} ({c.Source}); " +
                           "Scaled and Same quiescence and the theory measures then use the wrong noise.");
            training = t;
        }
        else if (context is { } c) training = c.Context.TrainingNoiseStd;
        else throw new ArgumentException($"--model '{path}' does not say its training noise; give --training-std.", "--training-std");
        // A network trained with modifiers runs with them (evaluation, active and quiescent runs).
        ExperimentSetup.ApplyTrainingDynamics(checkpoint.Network, config);
        return new SavedNetwork(checkpoint, config, training, network, source);
    }

    private static void Warn(TextWriter warn, string message) => warn.WriteLine("WARNING: " + message);
}
