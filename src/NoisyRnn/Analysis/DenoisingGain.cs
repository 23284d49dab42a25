using NoisyRnn.Models;
using NoisyRnn.Noise;

namespace NoisyRnn.Analysis;

/// <summary>
/// Denoising measured where the theory puts it (THEORY.md, prediction 3; issue 13 item 2): a noise-trained network's
/// autonomous drift pulls a perturbed waking state back toward the waking states. For a held-out waking state r and a
/// perturbation e, δ = [F(r + e) − (r + e)] − [F(r) − r] is the difference of the displacements of one autonomous step F
/// (zero input, no noise) taken from r + e and from r, and the gain
/// g = −⟨δ, e⟩ / |e|² is the fraction of e removed in one step (0: the perturbation persists; 1: removed; the leak alone
/// removes dt/tau). The perturbation is split into its projection onto the top-k principal components of the active states
/// ("on the manifold") and the rest ("off the manifold"); each part is applied on its own and gets its own gain. The theory
/// predicts, for a noise-trained network, an off-manifold gain clearly above the leak (an ideal denoiser removes most of
/// an off-manifold perturbation of the noise's size in one step) and little beyond the leak on the manifold where the
/// waking density is flat.
/// </summary>
/// <remarks>For a linear cell h' = (1 − α) h + α W h (identity activation) the gain of a perturbation along a unit vector u is
/// α (1 − uᵀ W u): exact, whatever the state (the unit test). The perturbations are Gaussian with the given per-unit std;
/// the same draws ξ serve every size (e = scale · ξ), so the sizes are compared on common random numbers. The perturbation
/// used in the ratio is the one actually applied in float32, fl(r + e) − r, computed in double.</remarks>
public static class DenoisingGain
{
    // States stepped per Simulate call (bounds the [rows, hidden] buffers).
    private const int StatesPerCall = 256;

    /// <summary>Measures the gains (see the class summary).</summary>
    /// <param name="model">The trained network (vanilla or GRU).</param>
    /// <param name="heldOutStates">Waking hidden states not used to fit <paramref name="activePca"/> (for example the second half of
    /// an active batch's trajectories), [count, hidden] row-major; finite.</param>
    /// <param name="count">Number of states; &gt; 0.</param>
    /// <param name="activePca">PCA of the active hidden states (its dimension must be the hidden size).</param>
    /// <param name="components">k; in [1, hidden − 1] (both parts must exist).</param>
    /// <param name="scales">Per-unit perturbation stds, [sizes]; each finite and &gt; 0; at least one (e.g. the per-step training
    /// noise std and 2, 4, 8 times it).</param>
    /// <param name="samples">States drawn without replacement from the held-out ones; in [1, count].</param>
    /// <param name="seed">Seed of the choice of states and of the perturbations.</param>
    /// <returns>Per-size gains with standard errors over the sampled states, and the leak.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size, count or scale is out of range.</exception>
    /// <exception cref="ArgumentException">A length differs from its shape, a state is not finite, or the PCA's dimension is not
    /// the hidden size (ParamName "activePca").</exception>
    /// <exception cref="SimulationDivergedException">A perturbed step became non-finite.</exception>
    public static DenoisingGainResult Measure(IRecurrentNetwork model, ReadOnlySpan<float> heldOutStates, int count, PcaResult activePca,
        int components, ReadOnlySpan<double> scales, int samples, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(activePca);
        int n = model.NetworkOptions.HiddenSize;
        if (activePca.Dimensions != n)
            throw new ArgumentException($"activePca has dimension {activePca.Dimensions}; expected the hidden size {n}.", nameof(activePca));
        Guard.Positive(count);
        if (components < 1 || components >= n)
            throw new ArgumentOutOfRangeException(nameof(components), components, $"components must be in [1, {n - 1}] (hidden size - 1, so that both parts exist).");
        if (scales.Length == 0) throw new ArgumentException("scales is empty; expected at least one perturbation size.", nameof(scales));
        foreach (double s in scales) Guard.Positive(s, nameof(scales));
        if (samples < 1 || samples > count) throw new ArgumentOutOfRangeException(nameof(samples), samples, $"samples must be in [1, {count}].");
        Guard.Length(heldOutStates.Length, (long)count * n, nameof(heldOutStates), $"[count, hidden] = [{count}, {n}]");
        Guard.AllFinite(heldOutStates, nameof(heldOutStates));

        double[] axes = activePca.Components; // [n, n] rows; the first k span the manifold directions
        int sizes = scales.Length, rowsPerState = 1 + 3 * sizes;
        var rng = new Xoshiro256(seed);
        var order = Enumerable.Range(0, count).ToArray();
        for (int i = 0; i < samples; i++)
        {
            int j = i + (int)Math.BigMul(rng.NextUInt64(), (ulong)(count - i), out _);
            (order[i], order[j]) = (order[j], order[i]);
        }

        // gains[kind][size] per sampled state; kind 0 total, 1 on, 2 off.
        var gains = new List<double>[3, sizes];
        for (int k = 0; k < 3; k++)
            for (int s = 0; s < sizes; s++) gains[k, s] = new List<double>(samples);

        var xi = new double[n];
        var onPart = new double[n];
        var noise = new GaussianNoiseSource(seed); // never drawn with std 0, but Simulate needs a source
        for (int first = 0; first < samples; first += StatesPerCall)
        {
            int states = Math.Min(StatesPerCall, samples - first), rows = states * rowsPerState;
            var start = new float[rows * n];
            var applied = new double[rows * n]; // the perturbation each row carries, in double (row 0 of each state: none)
            for (int i = 0; i < states; i++)
            {
                ReadOnlySpan<float> r = heldOutStates.Slice(order[first + i] * n, n);
                FillGaussian(ref rng, xi);
                // On-manifold part of ξ: Σ_c (a_c · ξ) a_c over the first k axes.
                Array.Clear(onPart);
                for (int c = 0; c < components; c++)
                {
                    double dot = 0;
                    for (int h = 0; h < n; h++) dot += axes[c * n + h] * xi[h];
                    for (int h = 0; h < n; h++) onPart[h] += dot * axes[c * n + h];
                }
                int baseRow = i * rowsPerState;
                r.CopyTo(start.AsSpan(baseRow * n, n));
                for (int s = 0; s < sizes; s++)
                {
                    for (int kind = 0; kind < 3; kind++)
                    {
                        int row = baseRow + 1 + 3 * s + kind;
                        for (int h = 0; h < n; h++)
                        {
                            double direction = kind switch { 0 => xi[h], 1 => onPart[h], _ => xi[h] - onPart[h] };
                            float perturbed = (float)(r[h] + scales[s] * direction);
                            start[row * n + h] = perturbed;
                            applied[row * n + h] = (double)perturbed - r[h];
                        }
                    }
                }
            }
            var next = new float[rows * n];
            model.Simulate(start, ReadOnlySpan<float>.Empty, rows, 1, 0f, noise, next, Span<float>.Empty);
            for (int i = 0; i < states; i++)
            {
                int baseRow = i * rowsPerState;
                ReadOnlySpan<float> reference = next.AsSpan(baseRow * n, n);
                for (int s = 0; s < sizes; s++)
                {
                    for (int kind = 0; kind < 3; kind++)
                    {
                        int row = baseRow + 1 + 3 * s + kind;
                        double dot = 0, squared = 0;
                        for (int h = 0; h < n; h++)
                        {
                            double e = applied[row * n + h];
                            // δ = [F(r + e) − (r + e)] − [F(r) − r]: the difference of the two steps' displacements.
                            double delta = (double)next[row * n + h] - reference[h] - e;
                            dot += delta * e;
                            squared += e * e;
                        }
                        if (squared > 0) gains[kind, s].Add(-dot / squared);
                    }
                }
            }
        }

        var points = new DenoisingGainPoint[sizes];
        for (int s = 0; s < sizes; s++)
            points[s] = new DenoisingGainPoint(scales[s], Summarize(gains[0, s]), Summarize(gains[1, s]), Summarize(gains[2, s]));
        double explained = activePca.ExplainedVarianceRatio.Take(components).Sum();
        return new DenoisingGainResult(points, model.NetworkOptions.Alpha, components, explained, samples);
    }

    // Standard normals by Box-Muller in double (u1 in (0, 1]), both of each pair used.
    private static void FillGaussian(ref Xoshiro256 rng, double[] destination)
    {
        for (int i = 0; i < destination.Length; i += 2)
        {
            double u1 = ((rng.NextUInt64() >> 11) + 1) * (1.0 / 9007199254740992.0);
            double u2 = rng.NextDouble();
            double radius = Math.Sqrt(-2 * Math.Log(u1));
            (double sin, double cos) = Math.SinCos(2 * Math.PI * u2);
            destination[i] = radius * cos;
            if (i + 1 < destination.Length) destination[i + 1] = radius * sin;
        }
    }

    internal static MeanEstimate Summarize(IReadOnlyList<double> values)
    {
        int m = values.Count;
        if (m == 0) return new MeanEstimate(double.NaN, double.NaN, 0);
        double mean = values.Average();
        if (m == 1) return new MeanEstimate(mean, double.NaN, 1);
        double ss = 0;
        foreach (double v in values) ss += (v - mean) * (v - mean);
        return new MeanEstimate(mean, Math.Sqrt(ss / (m - 1) / m), m);
    }
}
