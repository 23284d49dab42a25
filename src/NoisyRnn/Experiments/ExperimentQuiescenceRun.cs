using NoisyRnn.Analysis;
using NoisyRnn.Noise;

namespace NoisyRnn.Experiments;

/// <summary>One quiescence run of an experiment.</summary>
/// <param name="Name">"network/mode".</param>
/// <param name="Network">The network's name.</param>
/// <param name="Mode">The quiescent noise rule.</param>
/// <param name="Report">The decoded-output analysis (KL, variance, step distance, the quiescent decoded outputs).</param>
/// <param name="HiddenSample">Hidden states of a short quiescent run for figures, [chains, steps, hidden] (at most 40 chains of 500 steps).</param>
/// <param name="Summary">The run's entry of summary.json.</param>
public sealed record ExperimentQuiescenceRun(string Name, string Network, QuiescentNoise Mode, QuiescentReport Report, float[] HiddenSample,
    QuiescenceRunSummary Summary);
