using NoisyRnn.Models;

namespace NoisyRnn.Training;

/// <summary>What <see cref="Checkpoint.Load"/> returns: the model, and the optimizer state when one was saved.</summary>
/// <param name="Network">The network (vanilla RNN or GRU, per the header's model kind) with its saved parameters.</param>
/// <param name="Step">Training steps completed when saved.</param>
/// <param name="AdamStepCount">Adam's step counter (0 when no optimizer state was saved).</param>
/// <param name="AdamFirstMoment">Adam's first moments, same layout as the parameters; null when not saved.</param>
/// <param name="AdamSecondMoment">Adam's second moments; null when not saved.</param>
/// <param name="Metadata">Free-form string pairs saved with the checkpoint (e.g. the run name, the noise level).</param>
public sealed record CheckpointData(IRecurrentNetwork Network, int Step, long AdamStepCount, float[]? AdamFirstMoment,
    float[]? AdamSecondMoment, IReadOnlyDictionary<string, string> Metadata);
