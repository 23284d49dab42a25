using NoisyRnn.Kernels;

namespace NoisyRnn.Models;

/// <summary>
/// One cell's recurrent step over a [batch, hidden] block of states, made by the cell once per run with the run's packed
/// weights and scratch buffers (<see cref="SimulationRun"/>, behind <see cref="RecurrentNetwork{TOptions, TTape}.Simulate"/>
/// and the quiescence runner). A cell that can take the quiescence modifiers (<see cref="DynamicsModifiers"/>) says so:
/// a leaky cell sets <see cref="Leak"/> to its alpha in its constructor and reads it in <see cref="Advance"/>, and a cell
/// that subtracts <see cref="Adaptation"/> inside its activation returns true from <see cref="SupportsAdaptation"/>.
/// </summary>
internal abstract class SimulationStep
{
    /// <summary>The leak alpha = dt/tau that <see cref="Advance"/> uses, or null for a cell without a leak (a leak override
    /// is then refused). Set by the cell to its own alpha; the quiescence runner may replace it.</summary>
    public float? Leak { get; set; }

    /// <summary>Adaptation currents a, [batch, hidden], subtracted from the pre-activation inside the activation by
    /// <see cref="Advance"/> when not null (only read when <see cref="SupportsAdaptation"/>).</summary>
    public float[]? Adaptation { get; set; }

    /// <summary>Whether <see cref="Advance"/> subtracts <see cref="Adaptation"/> inside its activation.</summary>
    public virtual bool SupportsAdaptation => false;

    /// <summary>
    /// h ← f(h, x) + <paramref name="noiseStd"/>·<paramref name="noise"/>, in place: <paramref name="hidden"/> is
    /// [batch, hidden]; row b of the inputs x starts at <paramref name="inputs"/>[b·<paramref name="inputStride"/>] (empty
    /// for zero input); <paramref name="noise"/> is [batch, hidden] raw draws, or null for none.
    /// </summary>
    public abstract void Advance(float[] hidden, ReadOnlySpan<float> inputs, int inputStride, float[]? noise, float noiseStd, IsaTier tier, int threads);

    /// <summary>Whether the cell implements <see cref="AdvanceRows"/>.</summary>
    public virtual bool SupportsRows => false;

    /// <summary>
    /// Rows [<paramref name="start"/>, <paramref name="end"/>) of <see cref="Advance"/> with zero input, on the calling
    /// thread: the same operations on those rows, so the same bits, whichever rows a call takes (the simulation runs
    /// parts of the batch on different cores). <paramref name="noise"/> holds the raw draws of those rows only
    /// ([end − start, hidden]), or is empty for none.
    /// </summary>
    /// <exception cref="NotSupportedException">The cell does not implement it (<see cref="SupportsRows"/> is false).</exception>
    public virtual void AdvanceRows(float[] hidden, int start, int end, ReadOnlySpan<float> noise, float noiseStd, IsaTier tier) =>
        throw new NotSupportedException($"{GetType().Name} has no step over a range of rows.");
}
