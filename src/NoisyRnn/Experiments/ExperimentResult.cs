using NoisyRnn.Tasks;

namespace NoisyRnn.Experiments;

/// <summary>What <see cref="Experiment.Run"/> returns: the summary written to summary.json and the objects behind it.</summary>
/// <param name="Config">The configuration.</param>
/// <param name="Folder">The run folder (full path).</param>
/// <param name="Task">The task (its cells built from the configuration's seed).</param>
/// <param name="Networks">The noise-trained and the noise-free network.</param>
/// <param name="Runs">The three quiescence runs.</param>
/// <param name="Summary">The summary written to summary.json.</param>
public sealed record ExperimentResult(ExperimentConfig Config, string Folder, IPathIntegrationTask Task, IReadOnlyList<ExperimentNetwork> Networks,
    IReadOnlyList<ExperimentQuiescenceRun> Runs, ExperimentSummary Summary)
{
    /// <summary>The spatial task's options (arena size), or null for head direction.</summary>
    public SpatialNavigationOptions? SpatialOptions => (Task as SpatialNavigationTask)?.Options;
}
