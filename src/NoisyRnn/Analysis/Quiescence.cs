using NoisyRnn.Models;
using NoisyRnn.Noise;

namespace NoisyRnn.Analysis;

/// <summary>
/// Quiescent ("sleep") runs: the network evolves with its input removed and recurrent noise of std sigma_q per
/// step, r(t+dt) = r + phi(r, 0) dt + sigma_q xi (THEORY.md, "Quiescence is Langevin sampling"; reference
/// output_kl.py runs the model on zero inputs with sigma_rec scaled by sqrt 2), optionally with the
/// <see cref="DynamicsModifiers"/> (leak override, adaptation, momentum; docs/replay.md). This is the library's one
/// quiescence runner: the decoded outputs (<see cref="Run"/>), the strided hidden states
/// (<see cref="HiddenStateReactivation.RunQuiescent"/>) and the state norms of the runaway check all come from it. No
/// BPTT tape is recorded: memory is O(batch x hidden x chunk) plus what is kept.
/// </summary>
public static class Quiescence
{
    /// <summary>Time steps simulated per chunk before decoding; bounds the memory of the raw readout.</summary>
    public const int ChunkSteps = 100;

    /// <summary>
    /// Runs the network from <paramref name="initialHidden"/> for <paramref name="steps"/> input-free steps and
    /// returns the decoded readout of every step.
    /// </summary>
    /// <param name="model">The trained network (vanilla RNN or GRU).</param>
    /// <param name="initialHidden">Starting states [batch, hidden] (e.g. <see cref="IRecurrentNetwork.Encode"/> of the
    /// place-cell code of the active batch's start positions, as the reference does).</param>
    /// <param name="batch">Number of independent chains; &gt; 0.</param>
    /// <param name="steps">Quiescent steps; &gt; 0 (paper: 1000 for KL, 2000 for variance, 100 for step distance).</param>
    /// <param name="noiseStd">Per-step recurrent noise std sigma_q; finite and &gt;= 0 (see <see cref="QuiescentNoise"/>).</param>
    /// <param name="noise">Source of the raw draws (Gaussian for the paper), one [batch, hidden] block per step.</param>
    /// <param name="decode">Maps readout rows to task coordinates.</param>
    /// <param name="decodedSize">Coordinates per decoded row (2 for positions); &gt; 0.</param>
    /// <param name="modifiers">Changes to the quiescent dynamics; null or <see cref="DynamicsModifiers.None"/> (default) for the
    /// network's own, bit for bit. Leak and adaptation need a library cell (<see cref="VanillaRnn"/>, <see cref="GruRnn"/>).</param>
    /// <returns>Decoded trajectories [batch, steps, decodedSize].</returns>
    /// <exception cref="ArgumentException">Wrong span length, non-finite initial states, or a modifier the model cannot take
    /// (ParamName "modifiers").</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size or the noise std is out of range, or the result would exceed
    /// <see cref="Array.MaxLength"/> elements (ParamName "steps").</exception>
    /// <exception cref="SimulationDivergedException">The state or its readout became non-finite; the step is counted from the start of the run.
    /// <paramref name="noise"/> may then have been drawn for some steps past it.</exception>
    public static float[] Run(IRecurrentNetwork model, ReadOnlySpan<float> initialHidden, int batch, int steps, float noiseStd,
        INoiseSource noise, OutputDecoder decode, int decodedSize, DynamicsModifiers? modifiers = null)
    {
        ArgumentNullException.ThrowIfNull(decode);
        return Record(model, initialHidden, batch, steps, noiseStd, noise, modifiers, decode, decodedSize, 0, null).Decoded!;
    }

    /// <summary>
    /// The runner: checks the arguments, runs the chains chunk by chunk and keeps what is asked for. Chunks are whole
    /// multiples of <paramref name="hiddenStride"/> about <see cref="ChunkSteps"/> long; the noise is drawn one
    /// [batch, hidden] block per step whatever the chunking, so the bits do not depend on it.
    /// </summary>
    /// <param name="model">The network.</param>
    /// <param name="initialHidden">h_0, [batch, hidden]; finite.</param>
    /// <param name="batch">Chains; &gt; 0.</param>
    /// <param name="steps">Quiescent steps; &gt; 0.</param>
    /// <param name="noiseStd">Per-step noise std; finite and &gt;= 0.</param>
    /// <param name="noise">Source of the raw draws.</param>
    /// <param name="modifiers">Quiescence modifiers, or null for none.</param>
    /// <param name="decode">Decoder of the readout, or null to skip the readout.</param>
    /// <param name="decodedSize">Coordinates per decoded row; &gt; 0 when <paramref name="decode"/> is given.</param>
    /// <param name="hiddenStride">Keep h after every stride-th step ([batch, steps / stride, hidden]); 0 to keep none.
    /// <paramref name="steps"/> must be a multiple of it.</param>
    /// <param name="stateNorms">Receives ‖h_t‖ of every chain and step, [batch, steps]; or null.</param>
    internal static (float[]? Decoded, float[]? Hidden) Record(IRecurrentNetwork model, ReadOnlySpan<float> initialHidden, int batch, int steps,
        float noiseStd, INoiseSource noise, DynamicsModifiers? modifiers, OutputDecoder? decode, int decodedSize, int hiddenStride, double[]? stateNorms)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(noise);
        modifiers ??= DynamicsModifiers.None;
        Guard.Positive(batch);
        Guard.Positive(steps);
        if (decode is not null) Guard.Positive(decodedSize);
        Guard.NonNegative(noiseStd);
        if (hiddenStride > 0 && steps % hiddenStride != 0)
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"steps must be a multiple of stride = {hiddenStride}.");
        int hidden = model.NetworkOptions.HiddenSize, outputs = model.NetworkOptions.OutputSize;
        Guard.Length(initialHidden.Length, (long)batch * hidden, nameof(initialHidden), $"[batch={batch}, hidden={hidden}]");
        Guard.AllFinite(initialHidden, nameof(initialHidden));
        int kept = hiddenStride > 0 ? steps / hiddenStride : 0;
        long decodedLength = decode is null ? 0 : (long)batch * steps * decodedSize;
        long keptLength = (long)batch * kept * hidden;
        if (decodedLength > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(steps), steps,
                $"batch x steps x decodedSize = {batch} x {steps} x {decodedSize} = {decodedLength}; expected at most {Array.MaxLength} (one array).");
        if (keptLength > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"batch x steps / stride x hidden = {keptLength}; expected at most {Array.MaxLength}.");
        int chunk = Math.Min(steps, hiddenStride > 0 ? hiddenStride * Math.Max(1, ChunkSteps / hiddenStride) : ChunkSteps);
        int width = Math.Max(Math.Max(hidden, decode is null ? 0 : outputs), decode is null ? 0 : decodedSize);
        long chunkLength = (long)batch * chunk * width;
        if (chunkLength > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(batch), batch,
                $"batch x {chunk} steps x {width} = {chunkLength}; expected at most {Array.MaxLength} (one array).");

        var chains = Start(model, initialHidden, batch, steps, noiseStd, noise, modifiers, readout: decode is not null);
        float[]? decoded = decode is null ? null : new float[decodedLength];
        float[]? keptStates = hiddenStride > 0 ? new float[keptLength] : null;
        bool needHidden = keptStates is not null || stateNorms is not null || chains is ForeignChains;
        float[]? hiddenChunk = needHidden ? new float[batch * chunk * hidden] : null;
        float[]? outputChunk = decode is null ? null : new float[batch * chunk * outputs];
        float[]? decodedChunk = decode is null ? null : new float[batch * chunk * decodedSize];
        for (int t0 = 0; t0 < steps; t0 += chunk)
        {
            int n = Math.Min(chunk, steps - t0);
            Span<float> h = hiddenChunk is null ? default : hiddenChunk.AsSpan(0, batch * n * hidden);
            Span<float> y = outputChunk is null ? default : outputChunk.AsSpan(0, batch * n * outputs);
            chains.Advance(t0, n, h, y);
            if (decode is not null)
            {
                Span<float> d = decodedChunk.AsSpan(0, batch * n * decodedSize);
                decode(y, d);
                for (int b = 0; b < batch; b++)
                    d.Slice(b * n * decodedSize, n * decodedSize).CopyTo(decoded.AsSpan((int)((b * (long)steps + t0) * decodedSize), n * decodedSize));
            }
            if (stateNorms is not null)
            {
                for (int b = 0; b < batch; b++)
                    for (int t = 0; t < n; t++)
                        stateNorms[(long)b * steps + t0 + t] = Runaway.Norm(h.Slice((b * n + t) * hidden, hidden));
            }
            if (keptStates is not null)
            {
                for (int b = 0; b < batch; b++)
                {
                    for (int t = hiddenStride - 1; t < n; t += hiddenStride)
                    {
                        long dest = ((long)b * kept + (t0 + t) / hiddenStride) * hidden;
                        h.Slice((b * n + t) * hidden, hidden).CopyTo(keptStates.AsSpan((int)dest, hidden));
                    }
                }
            }
        }
        return (decoded, keptStates);
    }

    private static Chains Start(IRecurrentNetwork model, ReadOnlySpan<float> initialHidden, int batch, int steps, float noiseStd,
        INoiseSource noise, DynamicsModifiers modifiers, bool readout)
    {
        if (model is ISimulatedCell cell)
            return new CellChains(new SimulationRun(cell, initialHidden, batch, noiseStd, noise, modifiers, readout, checkReadout: true, steps));
        if (!modifiers.IsNone)
            throw new ArgumentException($"Quiescence modifiers ({modifiers}) need a cell derived from RecurrentNetwork; {model.GetType().Name} only offers Simulate. Expected DynamicsModifiers.None.", nameof(modifiers));
        return new ForeignChains(model, initialHidden, batch, steps, noiseStd, noise);
    }

    /// <summary>The chains of a run: advance n steps from step t0, writing [batch, n, hidden] and [batch, n, output] (either may be empty).</summary>
    private abstract class Chains
    {
        public abstract void Advance(int t0, int n, Span<float> hidden, Span<float> outputs);
    }

    /// <summary>A library cell: the shared loop (<see cref="SimulationRun"/>), which checks the readout too.</summary>
    private sealed class CellChains(SimulationRun run) : Chains
    {
        public override void Advance(int t0, int n, Span<float> hidden, Span<float> outputs) => run.Advance(default, n, hidden, outputs);
    }

    /// <summary>Another implementation of <see cref="IRecurrentNetwork"/>: its own Simulate, chunk by chunk, without modifiers.</summary>
    private sealed class ForeignChains(IRecurrentNetwork model, ReadOnlySpan<float> initialHidden, int batch, int steps, float noiseStd, INoiseSource noise) : Chains
    {
        private readonly float[] _state = initialHidden.ToArray();

        public override void Advance(int t0, int n, Span<float> hidden, Span<float> outputs)
        {
            int nH = model.NetworkOptions.HiddenSize, nOut = model.NetworkOptions.OutputSize;
            try
            {
                model.Simulate(_state, ReadOnlySpan<float>.Empty, batch, n, noiseStd, noise, hidden, outputs);
            }
            catch (SimulationDivergedException e)
            {
                throw new SimulationDivergedException(t0 + e.Step, steps, "the hidden state");
            }
            for (int t = 0; t < n && !outputs.IsEmpty; t++)
            {
                for (int b = 0; b < batch; b++)
                {
                    if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(outputs.Slice((b * n + t) * nOut, nOut)))
                        throw new SimulationDivergedException(t0 + t, steps, "the readout W_out h");
                }
            }
            for (int b = 0; b < batch; b++) hidden.Slice((b * n + n - 1) * nH, nH).CopyTo(_state.AsSpan(b * nH, nH));
        }
    }
}
