using NoisyRnn.Models;
using NoisyRnn.Noise;

namespace NoisyRnn.Analysis;

/// <summary>
/// Denoising alignment (THEORY.md, prediction 3): a noise-trained network's autonomous drift φ(r, 0) should point along
/// σ² ∇_r log p(r), the score of the distribution of states it visits while active. Both are compared in the top-k
/// principal components of the active hidden states: the drift projected onto those axes, against the score of a
/// Gaussian KDE (Scott's rule) of the projected active states evaluated at the projected state.
/// </summary>
public static class DenoisingAlignment
{
    // A kept component whose variance is below this fraction of the first one's (a standard deviation 1e-5 of the
    // first) is rounding noise of float32 states confined to fewer than k directions, not a direction they vary in:
    // a KDE on it would report a meaningless score.
    private const double NegligibleVarianceFraction = 1e-10;

    /// <summary>
    /// Fits a PCA to the active hidden states, a KDE to their top-k scores, and averages the cosine between the
    /// projected drift and the KDE score over <paramref name="samples"/> states drawn uniformly (without replacement)
    /// from the active states. States where either vector is exactly zero are skipped (the cosine is undefined).
    /// </summary>
    /// <param name="model">The trained network.</param>
    /// <param name="activeHidden">Active (waking) hidden states, [count, hidden] row-major (e.g. <see cref="RecurrentTape.Hidden"/>); finite.</param>
    /// <param name="count">Number of states; &gt; components + 1.</param>
    /// <param name="components">k, principal components kept; in [1, hidden].</param>
    /// <param name="samples">States at which the cosine is measured; in [1, count].</param>
    /// <param name="seed">Seed of the choice of states.</param>
    /// <returns>The mean cosine and the per-state values.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range.</exception>
    /// <exception cref="ArgumentException">A length differs from its shape or a value is not finite.</exception>
    /// <exception cref="DegenerateDataException">The states do not vary in k directions (component k's variance is below 1e-10 of the
    /// first's, or no KDE exists), all states are identical, or every sampled state has a zero drift or score.</exception>
    public static AlignmentResult Measure(VanillaRnn model, ReadOnlySpan<float> activeHidden, int count, int components, int samples, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        int nH = model.Options.HiddenSize;
        if (components < 1 || components > nH) throw new ArgumentOutOfRangeException(nameof(components), components, $"components must be in [1, {nH}].");
        if (count <= components + 1) throw new ArgumentOutOfRangeException(nameof(count), count, $"count must be > components + 1 = {components + 1}.");
        if (samples < 1 || samples > count) throw new ArgumentOutOfRangeException(nameof(samples), samples, $"samples must be in [1, {count}].");
        Guard.Length(activeHidden.Length, (long)count * nH, nameof(activeHidden), $"[count, hidden] = [{count}, {nH}]");

        PcaResult pca = Pca.Fit(activeHidden, count, nH);
        double[] componentVariance = pca.ExplainedVariance;
        if (!(componentVariance[components - 1] > NegligibleVarianceFraction * componentVariance[0]))
            throw new DegenerateDataException(
                $"The active states vary in fewer than {components} directions: principal component {components} has variance {componentVariance[components - 1]:G3}, " +
                $"below {NegligibleVarianceFraction:G1} of the first component's {componentVariance[0]:G3} (the states lie on a lower-dimensional subspace). Use fewer components.",
                nameof(activeHidden));
        double[] projected = pca.Project(activeHidden, components);
        var kde = new GaussianKde(projected, components, BandwidthRule.Scott);

        // Sampled states: a partial Fisher-Yates shuffle of the indices.
        var rng = new Xoshiro256(seed);
        var order = Enumerable.Range(0, count).ToArray();
        for (int i = 0; i < samples; i++)
        {
            int j = i + (int)Math.BigMul(rng.NextUInt64(), (ulong)(count - i), out _);
            (order[i], order[j]) = (order[j], order[i]);
        }
        var states = new float[samples * nH];
        var queries = new double[samples * components];
        for (int i = 0; i < samples; i++)
        {
            activeHidden.Slice(order[i] * nH, nH).CopyTo(states.AsSpan(i * nH, nH));
            Array.Copy(projected, order[i] * components, queries, i * components, components);
        }
        var drift = new float[samples * nH];
        model.Drift(states, ReadOnlySpan<float>.Empty, samples, drift);
        double[] score = kde.Score(queries);
        double[] axes = pca.Components;

        var cosines = new List<double>(samples);
        var projectedDrift = new double[components];
        for (int i = 0; i < samples; i++)
        {
            // A direction is projected without subtracting the mean: component c of the drift is axis_c · φ.
            for (int c = 0; c < components; c++)
            {
                double sum = 0;
                for (int h = 0; h < nH; h++) sum += axes[c * nH + h] * drift[i * nH + h];
                projectedDrift[c] = sum;
            }
            double dot = 0, nd = 0, ns = 0;
            for (int c = 0; c < components; c++)
            {
                double g = score[i * components + c];
                dot += projectedDrift[c] * g;
                nd += projectedDrift[c] * projectedDrift[c];
                ns += g * g;
            }
            if (nd > 0 && ns > 0) cosines.Add(dot / Math.Sqrt(nd * ns));
        }
        if (cosines.Count == 0)
            throw new DegenerateDataException("Every sampled state has a zero projected drift or a zero density score; the alignment is undefined.", nameof(activeHidden));
        double mean = cosines.Average();
        double variance = cosines.Count > 1 ? cosines.Sum(c => (c - mean) * (c - mean)) / (cosines.Count - 1) : 0;
        double explained = pca.ExplainedVarianceRatio.Take(components).Sum();
        return new AlignmentResult(mean, Math.Sqrt(variance / cosines.Count), cosines.ToArray(), components, explained);
    }
}
