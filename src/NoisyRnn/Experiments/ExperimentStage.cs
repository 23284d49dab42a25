using NoisyRnn.Analysis;

namespace NoisyRnn.Experiments;

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
