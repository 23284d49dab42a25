using NoisyRnn.Kernels;

namespace NoisyRnn.Models;

/// <summary>
/// One cell's recurrent step over a [batch, hidden] block of states, made by the cell once per run with the run's packed
/// weights and scratch buffers (<see cref="RecurrentNetwork{TOptions, TTape}.Simulate"/>).
/// </summary>
internal abstract class SimulationStep
{
    /// <summary>
    /// h ← f(h, x) + <paramref name="noiseStd"/>·<paramref name="noise"/>, in place: <paramref name="hidden"/> is
    /// [batch, hidden]; row b of the inputs x starts at <paramref name="inputs"/>[b·<paramref name="inputStride"/>] (empty
    /// for zero input); <paramref name="noise"/> is [batch, hidden] raw draws, or null for none.
    /// </summary>
    public abstract void Advance(float[] hidden, ReadOnlySpan<float> inputs, int inputStride, float[]? noise, float noiseStd, IsaTier tier, int threads);
}
