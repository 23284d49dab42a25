namespace NoisyRnn.Experiments;

/// <summary>Options of <see cref="Experiment.Run"/> that do not change its results.</summary>
public sealed record ExperimentRunOptions
{
    /// <summary>Training checkpoint interval in steps (a checkpoint is also written at the end); &gt; 0. Default 100.</summary>
    public int CheckpointEvery { get; init; } = 100;

    /// <summary>Start over in a folder that holds another run (another config, or files that are not a run's): the
    /// experiment's own files there (config.json, summary.json, the network folders, figures) are replaced. Default false:
    /// such a folder is refused.</summary>
    public bool Force { get; init; }
}
