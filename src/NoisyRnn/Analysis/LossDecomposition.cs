using NoisyRnn.Kernels;
using NoisyRnn.Models;
using NoisyRnn.Noise;

namespace NoisyRnn.Analysis;

/// <summary>
/// Measures the loss decomposition of THEORY.md ("Measuring the decomposition") on a trained vanilla RNN. In the
/// discrete update the noise n_t drawn at a step enters after the drift, so
/// f(s_{t+1}) − D r_{t+1} = a_t + b_t − D n_t with the denoising residual a_t and the integration residual b_t
/// (see <see cref="LossDecompositionResult"/>), and L(t+1) = E||a_t + b_t||² + L_noise (+ a cross term when the noise
/// is not zero-mean) ≤ 2 L_denoise + 2 L_integrate + L_noise.
/// </summary>
public static class LossDecomposition
{
    /// <summary>
    /// Runs the network over the batch with recurrent noise of per-step std <paramref name="recurrentStd"/> (no input or
    /// output noise, as in training), then decomposes every transition between consecutive recorded states. The first
    /// step (from h_0 = W_enc s, whose target is not a readout of the same kind) is not decomposed, so the arrays have
    /// time − 1 entries. Residuals are accumulated in float64 from the float32 states.
    /// </summary>
    /// <param name="model">The trained network.</param>
    /// <param name="inputs">Inputs ṡ, [batch, time, input] row-major; finite.</param>
    /// <param name="initState">Initial-state code, [batch, init]; finite.</param>
    /// <param name="targets">Target codes f(s_t) of every step, [batch, time, output]; finite.</param>
    /// <param name="batch">Trajectories; &gt; 0.</param>
    /// <param name="time">Steps; ≥ 2.</param>
    /// <param name="recurrentStd">s, per-step std of the recurrent noise (the network's training noise); finite and ≥ 0.</param>
    /// <param name="distribution">Raw draws: Gaussian (paper) or U[0,1) (reference).</param>
    /// <param name="seed">Seed of the noise streams (as <see cref="NoiseStreams.FromSeed"/>).</param>
    /// <returns>Per-step terms.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size or the std is out of range.</exception>
    /// <exception cref="ArgumentException">A length differs from its shape or a value is not finite.</exception>
    public static LossDecompositionResult Measure(VanillaRnn model, ReadOnlySpan<float> inputs, ReadOnlySpan<float> initState,
        ReadOnlySpan<float> targets, int batch, int time, float recurrentStd, NoiseDistribution distribution, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        Guard.Positive(batch);
        if (time < 2) throw new ArgumentOutOfRangeException(nameof(time), time, "time must be >= 2: the decomposition needs two consecutive states.");
        Guard.NonNegative((double)recurrentStd, nameof(recurrentStd));
        if (!Enum.IsDefined(distribution)) throw new ArgumentOutOfRangeException(nameof(distribution), distribution, "distribution is not a defined value.");
        var o = model.Options;
        int nIn = o.InputSize, nH = o.HiddenSize, nOut = o.OutputSize;
        Guard.Length(targets.Length, (long)batch * time * nOut, nameof(targets), $"[batch, time, output] = [{batch}, {time}, {nOut}]");
        Guard.AllFinite(targets, nameof(targets));

        var tape = model.CreateTape(batch, time);
        model.Forward(inputs, initState, NoiseLevels.Recurrent(recurrentStd), NoiseStreams.FromSeed(seed, distribution), tape);

        ReadOnlySpan<float> readout = model.Parameters[VanillaRnn.OutputWeight];
        ReadOnlySpan<float> outBias = o.UseBias ? model.Parameters[VanillaRnn.OutputBias] : ReadOnlySpan<float>.Empty;

        // Noise moments of the raw draws: mean μ and variance v (Gaussian 0, 1; uniform 1/2, 1/12).
        (double mu, double v) = distribution == NoiseDistribution.Uniform01 ? (0.5, 1.0 / 12) : (0.0, 1.0);
        double frobenius = 0;
        var rowSums = new double[nOut]; // D 1
        for (int i = 0; i < nOut; i++)
            for (int j = 0; j < nH; j++)
            {
                double w = readout[i * nH + j];
                frobenius += w * w;
                rowSums[i] += w;
            }
        double s = recurrentStd;
        double dOnesSquared = rowSums.Sum(x => x * x);
        double noiseTerm = s * s * (v * frobenius + mu * mu * dOnesSquared) / nOut;

        int steps = time - 1;
        var denoise = new double[steps];
        var integrate = new double[steps];
        var cross = new double[steps];
        var combined = new double[steps];
        var total = new double[steps];
        var noise = new double[steps];
        Array.Fill(noise, noiseTerm);

        var r = new float[batch * nH];
        var x = new float[batch * nIn];
        var drift0 = new float[batch * nH];
        var driftIn = new float[batch * nH];
        var denoised = new float[batch * nH];   // r + φ(r, 0) Δt
        var inputPart = new float[batch * nH];  // (φ(r, ṡ) − φ(r, 0)) Δt
        var dDenoised = new float[batch * nOut];
        var dInput = new float[batch * nOut];
        var meanResidual = new double[nOut];
        ReadOnlySpan<float> hidden = tape.Hidden, outputs = tape.Outputs;
        for (int k = 0; k < steps; k++)
        {
            // r_t = h after step k; the input of the transition is that of step k + 1.
            for (int b = 0; b < batch; b++)
            {
                hidden.Slice((b * time + k) * nH, nH).CopyTo(r.AsSpan(b * nH, nH));
                inputs.Slice((b * time + k + 1) * nIn, nIn).CopyTo(x.AsSpan(b * nIn, nIn));
            }
            model.Drift(r, ReadOnlySpan<float>.Empty, batch, drift0);
            model.Drift(r, x, batch, driftIn);
            for (int i = 0; i < r.Length; i++)
            {
                denoised[i] = r[i] + drift0[i];
                inputPart[i] = driftIn[i] - drift0[i];
            }
            Gemm.MultiplyTransposedB(denoised, readout, dDenoised, batch, nOut, nH);
            Gemm.MultiplyTransposedB(inputPart, readout, dInput, batch, nOut, nH);

            double sumA = 0, sumB = 0, sumC = 0, sumTotal = 0;
            Array.Clear(meanResidual);
            for (int b = 0; b < batch; b++)
            {
                int now = (b * time + k) * nOut, next = now + nOut;
                for (int i = 0; i < nOut; i++)
                {
                    double bias = outBias.IsEmpty ? 0 : outBias[i];
                    double a = targets[now + i] - (dDenoised[b * nOut + i] + bias);
                    double bb = targets[next + i] - targets[now + i] - dInput[b * nOut + i];
                    double c = a + bb;
                    double e = targets[next + i] - outputs[next + i];
                    sumA += a * a;
                    sumB += bb * bb;
                    sumC += c * c;
                    sumTotal += e * e;
                    meanResidual[i] += c;
                }
            }
            double count = (double)batch * nOut;
            denoise[k] = sumA / count;
            integrate[k] = sumB / count;
            combined[k] = sumC / count;
            total[k] = sumTotal / count;
            // −2 E[c · D n] = −2 s μ E[c] · D 1 (n independent of c, with mean s μ 1).
            double dot = 0;
            for (int i = 0; i < nOut; i++) dot += meanResidual[i] / batch * rowSums[i];
            cross[k] = -2 * s * mu * dot / nOut;
        }
        return new LossDecompositionResult(denoise, integrate, noise, cross, combined, total, recurrentStd, distribution);
    }
}
