using System.Numerics.Tensors;
using NoisyRnn.Models;
using NoisyRnn.Noise;

namespace NoisyRnn.Analysis;

/// <summary>
/// Reactivation measured on the hidden states rather than the decoded outputs. A decoded coordinate can hide the
/// difference between networks: when the waking distribution of the coordinate is nearly uniform (head direction), any
/// network whose decoded output wanders looks like the waking distribution, whether or not its state stays on the waking
/// manifold. Here the quiescent hidden states are compared with the active ones in two ways: KL(quiescent ‖ active) of
/// their projections onto the top-k principal components of the active states (the paper's PCA view, Fig. 2-3, made
/// quantitative), and the mean distance to the nearest waking state, relative to the same distance for held-out waking
/// states (a distance to the waking manifold).
/// </summary>
public static class HiddenStateReactivation
{
    /// <summary>Default number of states of each kind whose nearest waking state is searched.</summary>
    public const int DefaultNearestQueries = 500;

    /// <summary>
    /// Runs quiescence (no input, recurrent noise of std <paramref name="noiseStd"/> per step, optionally with
    /// <paramref name="modifiers"/>) and keeps the hidden state after every <paramref name="stride"/>-th step: the hidden
    /// states of the one quiescence runner (<see cref="Quiescence"/>).
    /// </summary>
    /// <param name="model">The trained network.</param>
    /// <param name="initialHidden">h_0, [batch, hidden]; finite.</param>
    /// <param name="batch">Chains; &gt; 0.</param>
    /// <param name="steps">Quiescent steps; &gt; 0 and a multiple of <paramref name="stride"/>.</param>
    /// <param name="stride">Steps between kept states; &gt; 0 (1 keeps every state).</param>
    /// <param name="noiseStd">Per-step quiescent noise std; finite and &gt;= 0.</param>
    /// <param name="noise">Source of the raw draws.</param>
    /// <param name="modifiers">Changes to the quiescent dynamics; null or <see cref="DynamicsModifiers.None"/> (default) for the
    /// network's own, bit for bit.</param>
    /// <returns>Hidden states [batch, steps / stride, hidden]: h after steps stride, 2 stride, ..., steps.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size or the std is out of range.</exception>
    /// <exception cref="ArgumentException">A length differs from its shape, a start state is not finite, or a modifier the
    /// model cannot take (ParamName "modifiers").</exception>
    /// <exception cref="SimulationDivergedException">The state became non-finite; the step is counted from the start of the run.</exception>
    public static float[] RunQuiescent(IRecurrentNetwork model, ReadOnlySpan<float> initialHidden, int batch, int steps, int stride,
        float noiseStd, INoiseSource noise, DynamicsModifiers? modifiers = null)
    {
        Guard.Positive(stride);
        return Quiescence.Record(model, initialHidden, batch, steps, noiseStd, noise, modifiers, null, 0, stride, null).Hidden!;
    }

    /// <summary>
    /// Compares quiescent hidden states with active ones: KL(quiescent ‖ active) between Gaussian KDEs of their projections
    /// onto the top <paramref name="components"/> principal components of the active states (Monte Carlo, as
    /// <see cref="KlDivergence.MonteCarlo"/>), and the mean distance to the nearest active state. For the distance the
    /// active trajectories are split in two: the first half (by trajectory) is the reference set; up to
    /// <paramref name="nearestQueries"/> states drawn from the second half give the on-manifold scale, and as many drawn
    /// from the quiescent states give the quiescent distance.
    /// </summary>
    /// <param name="activeHidden">Active hidden states, [activeBatch, activeSteps, hidden] row-major; finite.</param>
    /// <param name="activeBatch">Active trajectories; ≥ 2.</param>
    /// <param name="activeSteps">Steps per active trajectory; &gt; 0.</param>
    /// <param name="quiescentHidden">Quiescent hidden states, [quiescentCount, hidden] row-major (any order); finite.</param>
    /// <param name="quiescentCount">Number of quiescent states; &gt; 0.</param>
    /// <param name="activePca">PCA fitted to <paramref name="activeHidden"/> (<see cref="Pca.Fit(ReadOnlySpan{float}, int, int)"/>); its dimension is the hidden size.</param>
    /// <param name="components">k; in [1, hidden].</param>
    /// <param name="samples">Monte Carlo samples of the KL; &gt; 0 (the paper's analysis: 2500).</param>
    /// <param name="seed">Seed of the KL samples and of the choice of distance queries.</param>
    /// <param name="nearestQueries">States of each kind whose nearest active state is searched; &gt; 0.</param>
    /// <returns>The KL, the two mean nearest distances and their ratio.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="activePca"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range.</exception>
    /// <exception cref="ArgumentException">A length differs from its shape or a value is not finite.</exception>
    /// <exception cref="DegenerateDataException">The projected active states have no KDE (they do not vary in k directions).</exception>
    public static HiddenStateReactivationResult Compare(ReadOnlySpan<float> activeHidden, int activeBatch, int activeSteps,
        ReadOnlySpan<float> quiescentHidden, int quiescentCount, PcaResult activePca, int components, int samples, ulong seed,
        int nearestQueries = DefaultNearestQueries)
    {
        ArgumentNullException.ThrowIfNull(activePca);
        int hidden = activePca.Dimensions;
        if (activeBatch < 2) throw new ArgumentOutOfRangeException(nameof(activeBatch), activeBatch, "activeBatch must be >= 2 (half the trajectories are the reference set).");
        Guard.Positive(activeSteps);
        Guard.Positive(quiescentCount);
        Guard.Positive(samples);
        Guard.Positive(nearestQueries);
        if (components < 1 || components > hidden) throw new ArgumentOutOfRangeException(nameof(components), components, $"components must be in [1, {hidden}].");
        Guard.Length(activeHidden.Length, (long)activeBatch * activeSteps * hidden, nameof(activeHidden), $"[activeBatch, activeSteps, hidden] = [{activeBatch}, {activeSteps}, {hidden}]");
        Guard.Length(quiescentHidden.Length, (long)quiescentCount * hidden, nameof(quiescentHidden), $"[quiescentCount, hidden] = [{quiescentCount}, {hidden}]");
        Guard.AllFinite(activeHidden, nameof(activeHidden));
        Guard.AllFinite(quiescentHidden, nameof(quiescentHidden));

        double[] activeProjected = activePca.Project(activeHidden, components);
        double[] quiescentProjected = activePca.Project(quiescentHidden, components);
        var activeKde = new GaussianKde(activeProjected, components, BandwidthRule.Scott);
        KlEstimate? kl = null;
        string? note = null;
        try
        {
            var quiescentKde = new GaussianKde(quiescentProjected, components, BandwidthRule.Scott);
            kl = KlDivergence.MonteCarlo(quiescentKde, activeKde, samples, SeedSequence.Derive(seed, SeedSequence.AnalysisStream, 0));
        }
        catch (DegenerateDataException e)
        {
            note = "no quiescent density in the top components: " + e.Message;
        }

        int referenceStates = activeBatch / 2 * activeSteps;
        ReadOnlySpan<float> reference = activeHidden[..(referenceStates * hidden)];
        ReadOnlySpan<float> heldOut = activeHidden[(referenceStates * hidden)..];
        var rng = new Xoshiro256(SeedSequence.Derive(seed, SeedSequence.AnalysisStream, 1));
        double activeDistance = MeanNearestDistance(heldOut, heldOut.Length / hidden, reference, hidden, nearestQueries, ref rng);
        double quiescentDistance = MeanNearestDistance(quiescentHidden, quiescentCount, reference, hidden, nearestQueries, ref rng);
        double explained = activePca.ExplainedVarianceRatio.Take(components).Sum();
        return new HiddenStateReactivationResult(components, explained, kl, note, activeDistance, quiescentDistance, quiescentCount,
            MeanSquares(activeProjected, components), MeanSquares(quiescentProjected, components));
    }

    private static double[] MeanSquares(double[] projected, int components)
    {
        var result = new double[components];
        int n = projected.Length / components;
        for (int i = 0; i < n; i++)
            for (int c = 0; c < components; c++) result[c] += projected[i * components + c] * projected[i * components + c];
        for (int c = 0; c < components; c++) result[c] /= n;
        return result;
    }

    private static double NearestDistanceDouble(ReadOnlySpan<float> q, ReadOnlySpan<float> reference, int hidden)
    {
        double best = double.PositiveInfinity;
        for (int r = 0; r < reference.Length / hidden; r++)
        {
            double sum = 0;
            for (int k = 0; k < hidden; k++)
            {
                double d = (double)q[k] - reference[r * hidden + k];
                sum += d * d;
            }
            best = Math.Min(best, sum);
        }
        return Math.Sqrt(best);
    }

    // Mean over up to `queries` states drawn without replacement from `points` of the distance to the nearest reference state.
    private static double MeanNearestDistance(ReadOnlySpan<float> points, int count, ReadOnlySpan<float> reference, int hidden, int queries, ref Xoshiro256 rng)
    {
        int m = Math.Min(queries, count);
        var order = Enumerable.Range(0, count).ToArray();
        for (int i = 0; i < m; i++)
        {
            int j = i + (int)Math.BigMul(rng.NextUInt64(), (ulong)(count - i), out _);
            (order[i], order[j]) = (order[j], order[i]);
        }
        int referenceCount = reference.Length / hidden;
        double total = 0;
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<float> q = points.Slice(order[i] * hidden, hidden);
            float best = float.PositiveInfinity;
            for (int r = 0; r < referenceCount; r++)
            {
                float d = TensorPrimitives.Distance(q, reference.Slice(r * hidden, hidden));
                if (d < best) best = d;
            }
            // Finite states of about 1e19 and more overflow the float distance: redo this query in float64.
            total += float.IsFinite(best) ? best : NearestDistanceDouble(q, reference, hidden);
        }
        return total / m;
    }
}
