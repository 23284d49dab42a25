namespace NoisyRnn.Experiments;

/// <summary>What a run folder holds, relative to a configuration (<see cref="Experiment.Inspect"/>).</summary>
public enum RunFolderState
{
    /// <summary>No folder, or an empty one.</summary>
    New,
    /// <summary>A run of this configuration that has not finished (checkpoints may be there): running it continues.</summary>
    Interrupted,
    /// <summary>A finished run of this configuration (summary.json written).</summary>
    Finished,
    /// <summary>A run of another configuration.</summary>
    OtherConfig,
    /// <summary>A non-empty folder that holds no run (no config.json).</summary>
    Foreign,
}
