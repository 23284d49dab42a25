using NoisyRnn.Models;
using NoisyRnn.Noise;

namespace NoisyRnn.Analysis;

/// <summary>Turns readout values [n, outputs] into task coordinates [n, decodedSize] (e.g. place-cell code to position).</summary>
/// <param name="outputs">Readout values, row-major [n, outputs].</param>
/// <param name="decoded">Destination, row-major [n, decodedSize].</param>
public delegate void OutputDecoder(ReadOnlySpan<float> outputs, Span<float> decoded);

/// <summary>
/// Quiescent ("sleep") runs: the network evolves with its input removed and recurrent noise of std sigma_q per
/// step, r(t+dt) = r + phi(r, 0) dt + sigma_q xi (THEORY.md, "Quiescence is Langevin sampling"; reference
/// output_kl.py runs the model on zero inputs with sigma_rec scaled by sqrt 2). No BPTT tape is recorded: memory is
/// O(batch x hidden x chunk) plus the decoded trajectories.
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
    /// <param name="noise">Source of the raw draws (Gaussian for the paper).</param>
    /// <param name="decode">Maps readout rows to task coordinates.</param>
    /// <param name="decodedSize">Coordinates per decoded row (2 for positions); &gt; 0.</param>
    /// <returns>Decoded trajectories [batch, steps, decodedSize].</returns>
    /// <exception cref="ArgumentException">Wrong span length or non-finite initial states.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size or the noise std is out of range, or the result would exceed
    /// <see cref="Array.MaxLength"/> elements (ParamName "steps").</exception>
    /// <exception cref="SimulationDivergedException">The state or its readout became non-finite; the step is counted from the start of the run.</exception>
    public static float[] Run(IRecurrentNetwork model, ReadOnlySpan<float> initialHidden, int batch, int steps, float noiseStd,
        INoiseSource noise, OutputDecoder decode, int decodedSize) =>
        RunWithNorms(model, initialHidden, batch, steps, noiseStd, noise, decode, decodedSize, null);

    // As the public overload; when stateNorms is not null it receives ‖h_t‖ of every chain and step, [batch, steps].
    internal static float[] RunWithNorms(IRecurrentNetwork model, ReadOnlySpan<float> initialHidden, int batch, int steps, float noiseStd,
        INoiseSource noise, OutputDecoder decode, int decodedSize, double[]? stateNorms)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(noise);
        ArgumentNullException.ThrowIfNull(decode);
        Guard.Positive(batch);
        Guard.Positive(steps);
        Guard.Positive(decodedSize);
        Guard.NonNegative(noiseStd);
        int hidden = model.NetworkOptions.HiddenSize, outputs = model.NetworkOptions.OutputSize;
        Guard.Length(initialHidden.Length, (long)batch * hidden, nameof(initialHidden), $"[batch={batch}, hidden={hidden}]");
        Guard.AllFinite(initialHidden, nameof(initialHidden));
        long resultLength = (long)batch * steps * decodedSize;
        if (resultLength > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(steps), steps,
                $"batch x steps x decodedSize = {batch} x {steps} x {decodedSize} = {resultLength}; expected at most {Array.MaxLength} (one array).");
        int chunk = Math.Min(ChunkSteps, steps);
        long chunkLength = (long)batch * chunk * Math.Max(Math.Max(hidden, outputs), decodedSize);
        if (chunkLength > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(batch), batch,
                $"batch x {chunk} steps x {Math.Max(Math.Max(hidden, outputs), decodedSize)} = {chunkLength}; expected at most {Array.MaxLength} (one array).");
        var result = new float[resultLength];
        var state = initialHidden.ToArray();
        var hiddenChunk = new float[batch * chunk * hidden];
        var outputChunk = new float[batch * chunk * outputs];
        var decodedChunk = new float[batch * chunk * decodedSize];
        for (int t0 = 0; t0 < steps; t0 += chunk)
        {
            int n = Math.Min(chunk, steps - t0);
            Span<float> h = hiddenChunk.AsSpan(0, batch * n * hidden);
            Span<float> y = outputChunk.AsSpan(0, batch * n * outputs);
            Span<float> d = decodedChunk.AsSpan(0, batch * n * decodedSize);
            try
            {
                model.Simulate(state, ReadOnlySpan<float>.Empty, batch, n, noiseStd, noise, h, y);
            }
            catch (SimulationDivergedException e)
            {
                throw new SimulationDivergedException(t0 + e.Step, steps, "the hidden state");
            }
            // A finite but huge state can overflow the readout before the state itself does: report it as divergence
            // at that step rather than letting the decoder reject non-finite activations.
            for (int t = 0; t < n; t++)
            {
                for (int b = 0; b < batch; b++)
                {
                    if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(y.Slice((b * n + t) * outputs, outputs)))
                        throw new SimulationDivergedException(t0 + t, steps, "the readout W_out h");
                }
            }
            decode(y, d);
            if (stateNorms is not null)
            {
                for (int b = 0; b < batch; b++)
                    for (int t = 0; t < n; t++)
                        stateNorms[(long)b * steps + t0 + t] = Runaway.Norm(h.Slice((b * n + t) * hidden, hidden));
            }
            for (int b = 0; b < batch; b++)
            {
                d.Slice(b * n * decodedSize, n * decodedSize).CopyTo(result.AsSpan((int)((b * (long)steps + t0) * decodedSize), n * decodedSize));
                h.Slice((b * n + n - 1) * hidden, hidden).CopyTo(state.AsSpan(b * hidden, hidden));
            }
        }
        return result;
    }
}
