using NoisyRnn.Tasks;

namespace NoisyRnn.Analysis;

/// <summary>
/// Mixing of quiescent chains (issue 13 item 5): the reactivation measures as a function of quiescent time, so that a reader
/// sees whether the chains have mixed (the KL levels off) or are still spreading from their start states (the GRU's chains
/// diffuse slowly), and at which length a reported number was taken.
/// </summary>
public static class QuiescentMixing
{
    /// <summary>
    /// About <paramref name="count"/> distinct end steps spaced evenly in log between <paramref name="first"/> and
    /// <paramref name="steps"/>, the last one equal to <paramref name="steps"/> (e.g. 10, 32, 100, 316, 1000).
    /// </summary>
    /// <param name="steps">Length of the run; ≥ first.</param>
    /// <param name="count">Number of points; ≥ 1.</param>
    /// <param name="first">First end step; ≥ 2 (a density needs at least two steps per chain in practice).</param>
    /// <returns>Increasing end steps (duplicates after rounding removed).</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value out of range.</exception>
    public static int[] LogSpacedSteps(int steps, int count, int first = 10)
    {
        if (first < 2) throw new ArgumentOutOfRangeException(nameof(first), first, "first must be >= 2.");
        if (steps < first) throw new ArgumentOutOfRangeException(nameof(steps), steps, $"steps must be >= first = {first}.");
        Guard.Positive(count);
        if (count == 1) return [steps];
        var ends = new SortedSet<int>();
        for (int i = 0; i < count; i++)
            ends.Add((int)Math.Round(first * Math.Pow((double)steps / first, i / (count - 1.0))));
        ends.Add(steps);
        return ends.Where(e => e <= steps).ToArray();
    }

    /// <summary>
    /// KL(quiescent ‖ active) of each stretch of decoded quiescent chains (<see cref="MixingWindow"/>), the quiescent density
    /// fitted with the active density's estimator (<see cref="PathIntegrationReactivation.EstimatorOf"/>) and the KL by
    /// <see cref="KlDivergence.MonteCarlo"/> with the same seed for every stretch.
    /// </summary>
    /// <param name="task">The task (dimension, circularity).</param>
    /// <param name="activeDensity">The waking density p.</param>
    /// <param name="quiescentDecoded">Decoded quiescent chains, [batch, steps, task.DecodedSize] row-major, finite (e.g.
    /// <see cref="QuiescentReport.QuiescentDecoded"/>).</param>
    /// <param name="batch">Chains; &gt; 0.</param>
    /// <param name="steps">Steps per chain; &gt; 0.</param>
    /// <param name="endSteps">Increasing end steps in [1, steps] (e.g. <see cref="LogSpacedSteps"/>).</param>
    /// <param name="window">Prefixes or disjoint windows.</param>
    /// <param name="samples">Monte Carlo samples per KL; &gt; 0.</param>
    /// <param name="seed">Seed of the Monte Carlo draws.</param>
    /// <returns>One entry per end step.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size, end step or the window is out of range.</exception>
    /// <exception cref="ArgumentException">A length differs from its shape, the dimensions differ, or a value is not finite.</exception>
    public static IReadOnlyList<KlAtTime> KlOverTime(IPathIntegrationTask task, IKernelDensity activeDensity, ReadOnlySpan<float> quiescentDecoded,
        int batch, int steps, ReadOnlySpan<int> endSteps, MixingWindow window, int samples, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(activeDensity);
        Guard.Positive(batch);
        Guard.Positive(steps);
        Guard.Positive(samples);
        if (!Enum.IsDefined(window)) throw new ArgumentOutOfRangeException(nameof(window), window, "window must be Prefix or Window.");
        int dims = task.DecodedSize;
        if (activeDensity.Dimensions != dims)
            throw new ArgumentException($"activeDensity has {activeDensity.Dimensions} dimension(s); expected task.DecodedSize = {dims}.", nameof(activeDensity));
        Guard.Length(quiescentDecoded.Length, (long)batch * steps * dims, nameof(quiescentDecoded), $"[batch, steps, {dims}] = [{batch}, {steps}, {dims}]");
        Guard.AllFinite(quiescentDecoded, nameof(quiescentDecoded));
        CheckEnds(endSteps, steps, nameof(endSteps));
        HeadingDensity estimator = PathIntegrationReactivation.EstimatorOf(activeDensity);
        var result = new List<KlAtTime>(endSteps.Length);
        for (int i = 0; i < endSteps.Length; i++)
        {
            int start = window == MixingWindow.Prefix || i == 0 ? 0 : endSteps[i - 1], end = endSteps[i], length = end - start;
            var stretch = new float[batch * length * dims];
            for (int b = 0; b < batch; b++)
                quiescentDecoded.Slice((b * steps + start) * dims, length * dims).CopyTo(stretch.AsSpan(b * length * dims));
            try
            {
                IKernelDensity q = PathIntegrationReactivation.Density(task, stretch, estimator);
                result.Add(new KlAtTime(start, end, KlDivergence.MonteCarlo(q, activeDensity, samples, seed), null));
            }
            catch (DegenerateDataException e)
            {
                result.Add(new KlAtTime(start, end, null, "no quiescent density: " + e.Message));
            }
        }
        return result;
    }

    /// <summary>
    /// <see cref="HiddenStateReactivation.Compare"/> of each stretch of quiescent hidden-state chains (for example the output of
    /// <see cref="HiddenStateReactivation.RunQuiescent"/>, [batch, kept, hidden]) with the active states: KL in the top
    /// components and the nearest-waking-state ratio as a function of quiescent time.
    /// </summary>
    /// <param name="activeHidden">Active hidden states, [activeBatch, activeSteps, hidden] row-major; finite.</param>
    /// <param name="activeBatch">Active trajectories; ≥ 2.</param>
    /// <param name="activeSteps">Steps per active trajectory; &gt; 0.</param>
    /// <param name="quiescentHidden">Quiescent chains, [batch, kept, hidden] row-major; finite.</param>
    /// <param name="batch">Chains; &gt; 0.</param>
    /// <param name="kept">States per chain; &gt; 0.</param>
    /// <param name="endStates">Increasing ends in [1, kept], in kept-state indices (state i of a chain run with stride s is step (i + 1) s).</param>
    /// <param name="window">Prefixes or disjoint windows.</param>
    /// <param name="activePca">PCA of <paramref name="activeHidden"/>.</param>
    /// <param name="components">k; in [1, hidden].</param>
    /// <param name="samples">Monte Carlo samples per KL; &gt; 0.</param>
    /// <param name="seed">Seed of the KL samples and the distance queries (the same for every stretch).</param>
    /// <returns>One entry per end.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="activePca"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size, an end or the window is out of range.</exception>
    /// <exception cref="ArgumentException">A length differs from its shape or a value is not finite.</exception>
    /// <exception cref="DegenerateDataException">The projected active states have no KDE.</exception>
    public static IReadOnlyList<HiddenStatesAtTime> HiddenStatesOverTime(ReadOnlySpan<float> activeHidden, int activeBatch, int activeSteps,
        ReadOnlySpan<float> quiescentHidden, int batch, int kept, ReadOnlySpan<int> endStates, MixingWindow window, PcaResult activePca,
        int components, int samples, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(activePca);
        Guard.Positive(batch);
        Guard.Positive(kept);
        if (!Enum.IsDefined(window)) throw new ArgumentOutOfRangeException(nameof(window), window, "window must be Prefix or Window.");
        int hidden = activePca.Dimensions;
        Guard.Length(quiescentHidden.Length, (long)batch * kept * hidden, nameof(quiescentHidden), $"[batch, kept, hidden] = [{batch}, {kept}, {hidden}]");
        CheckEnds(endStates, kept, nameof(endStates));
        var result = new List<HiddenStatesAtTime>(endStates.Length);
        for (int i = 0; i < endStates.Length; i++)
        {
            int start = window == MixingWindow.Prefix || i == 0 ? 0 : endStates[i - 1], end = endStates[i], length = end - start;
            var stretch = new float[(long)batch * length * hidden];
            for (int b = 0; b < batch; b++)
                quiescentHidden.Slice((b * kept + start) * hidden, length * hidden).CopyTo(stretch.AsSpan(b * length * hidden));
            result.Add(new HiddenStatesAtTime(start, end, HiddenStateReactivation.Compare(activeHidden, activeBatch, activeSteps, stretch,
                batch * length, activePca, components, samples, seed)));
        }
        return result;
    }

    private static void CheckEnds(ReadOnlySpan<int> ends, int limit, string name)
    {
        if (ends.Length == 0) throw new ArgumentException($"{name} is empty; expected at least one end.", name);
        for (int i = 0; i < ends.Length; i++)
        {
            int previous = i == 0 ? 0 : ends[i - 1];
            if (ends[i] <= previous || ends[i] > limit)
                throw new ArgumentOutOfRangeException(name, ends[i], $"{name}[{i}] must be in ({previous}, {limit}] (increasing, at most {limit}).");
        }
    }
}
