using NoisyRnn.Analysis;
using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Tasks;
using NoisyRnn.Training;

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

/// <summary>Stage of an experiment, reported through <see cref="ExperimentProgress"/>.</summary>
public enum ExperimentStage
{
    /// <summary>Preparing the folder and the task.</summary>
    Setup,
    /// <summary>Training a network (<see cref="ExperimentProgress.Training"/> carries the step).</summary>
    Training,
    /// <summary>Measuring a trained network on its held-out batch (active density, PCA, theory measures).</summary>
    Measuring,
    /// <summary>Running and analysing quiescence.</summary>
    Quiescence,
    /// <summary>The untrained-network baseline and the KL matrix.</summary>
    Baselines,
    /// <summary>Writing summary.json and the exported files.</summary>
    Writing,
}

/// <summary>A progress report of <see cref="Experiment.Run"/>: a human-readable line, and for training steps the trainer's report.</summary>
/// <param name="Stage">The stage.</param>
/// <param name="Message">One line for a log; empty for plain training steps (see <paramref name="Training"/>).</param>
/// <param name="Network">The network concerned ("noise-trained", "noise-free"), or null.</param>
/// <param name="Training">The trainer's report after a step, during <see cref="ExperimentStage.Training"/>; else null.</param>
public sealed record ExperimentProgress(ExperimentStage Stage, string Message, string? Network = null, TrainingProgress? Training = null);

/// <summary>A trained network of an experiment and what was measured on it while awake.</summary>
/// <param name="Name">"noise-trained" or "noise-free".</param>
/// <param name="NoiseStd">Per-step training noise std.</param>
/// <param name="Model">The trained network.</param>
/// <param name="Context">Where it comes from (also saved in its checkpoint).</param>
/// <param name="TestBatch">The held-out batch it was evaluated and analysed on.</param>
/// <param name="Evaluations">Its learning curve (held-out evaluations in step order).</param>
/// <param name="ActiveDecoded">Decoded outputs of the held-out batch with the training noise, [batch, time, coords] (coords 2 in m, or 1 in rad).</param>
/// <param name="ActiveDensity">The KDE of <paramref name="ActiveDecoded"/> that every KL compares against.</param>
/// <param name="ActiveHidden">Hidden states of the held-out batch, [batch·time, hidden].</param>
/// <param name="Pca">Their principal components, or null when the states do not vary.</param>
/// <param name="Alignment">Vanilla cell: the denoising alignment; else null.</param>
/// <param name="Decomposition">Vanilla cell: the loss decomposition; else null.</param>
/// <param name="CheckpointPath">Path of its checkpoint (model.nrnn).</param>
public sealed record ExperimentNetwork(string Name, float NoiseStd, IRecurrentNetwork Model, NetworkContext Context, IPathIntegrationBatch TestBatch,
    IReadOnlyList<TaskEvaluation> Evaluations, float[] ActiveDecoded, IKernelDensity ActiveDensity, float[] ActiveHidden, PcaResult? Pca,
    AlignmentResult? Alignment, LossDecompositionResult? Decomposition, string CheckpointPath);

/// <summary>One quiescence run of an experiment.</summary>
/// <param name="Name">"network/mode".</param>
/// <param name="Network">The network's name.</param>
/// <param name="Mode">The quiescent noise rule.</param>
/// <param name="Report">The decoded-output analysis (KL, variance, step distance, the quiescent decoded outputs).</param>
/// <param name="HiddenSample">Hidden states of a short quiescent run for figures, [chains, steps, hidden] (at most 40 chains of 500 steps).</param>
/// <param name="Summary">The run's entry of summary.json.</param>
public sealed record ExperimentQuiescenceRun(string Name, string Network, QuiescentNoise Mode, QuiescentReport Report, float[] HiddenSample,
    QuiescenceRunSummary Summary);

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
