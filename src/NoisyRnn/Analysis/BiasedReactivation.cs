using NoisyRnn.Tasks;

namespace NoisyRnn.Analysis;

/// <summary>
/// Statistics that show whether a bias of the waking trajectories is reactivated (issue 13 item 3): on the biased spatial
/// task the trajectories drift toward an anchor (0.05 toward (0, 0) in the paper), so the waking occupancy is denser near
/// it; on the biased head-direction task the turns are mostly counter-clockwise. The same functions serve active and
/// quiescent decoded paths, so the two can be compared number for number.
/// </summary>
public static class BiasedReactivation
{
    /// <summary>The radial profile of decoded positions around an anchor (see <see cref="RadialProfile"/>).</summary>
    /// <param name="positions">Decoded positions, [batch, time, 2] row-major, finite, m.</param>
    /// <param name="batch">Trajectories; &gt; 0.</param>
    /// <param name="time">Steps per trajectory; &gt; 0.</param>
    /// <param name="anchorX">Anchor x (the biased drift's target; the arena centre 0 in the paper); finite.</param>
    /// <param name="anchorY">Anchor y; finite.</param>
    /// <param name="maxRadius">Last bin edge; finite and &gt; 0 (e.g. half the box diagonal, 1.1 √2 m, to cover the arena).</param>
    /// <param name="bins">Number of distance bins; &gt; 0.</param>
    /// <returns>The profile.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size or value out of range.</exception>
    /// <exception cref="ArgumentException">The length is not batch × time × 2, or a value is not finite.</exception>
    public static RadialProfile Radial(ReadOnlySpan<float> positions, int batch, int time, double anchorX, double anchorY, double maxRadius, int bins)
    {
        Guard.Positive(batch);
        Guard.Positive(time);
        Guard.Finite(anchorX);
        Guard.Finite(anchorY);
        Guard.Positive(maxRadius);
        Guard.Positive(bins);
        Guard.Length(positions.Length, (long)batch * time * 2, nameof(positions), $"[batch, time, 2] = [{batch}, {time}, 2]");
        Guard.AllFinite(positions, nameof(positions));
        var counts = new long[bins];
        long outside = 0;
        var perTrajectory = new double[batch];
        double width = maxRadius / bins;
        for (int b = 0; b < batch; b++)
        {
            double sum = 0;
            for (int t = 0; t < time; t++)
            {
                int i = (b * time + t) * 2;
                double r = Math.Sqrt(Square(positions[i] - anchorX) + Square(positions[i + 1] - anchorY));
                sum += r;
                int k = (int)(r / width);
                if (k >= bins) outside++;
                else counts[k]++;
            }
            perTrajectory[b] = sum / time;
        }
        double n = (double)batch * time;
        var edges = new double[bins + 1];
        for (int k = 0; k <= bins; k++) edges[k] = k * width;
        var fraction = new double[bins];
        var radial = new double[bins];
        var area = new double[bins];
        for (int k = 0; k < bins; k++)
        {
            fraction[k] = counts[k] / n;
            radial[k] = fraction[k] / width;
            area[k] = fraction[k] / (Math.PI * (edges[k + 1] * edges[k + 1] - edges[k] * edges[k]));
        }
        return new RadialProfile(edges, fraction, radial, area, outside / n, DenoisingGain.Summarize(perTrajectory), batch * time);
    }

    /// <summary>Turning statistics of heading trajectories (see <see cref="TurningStatistics"/>).</summary>
    /// <param name="headings">Decoded headings, [batch, time] row-major, finite, rad (wrapped or not: steps use circular differences).</param>
    /// <param name="batch">Trajectories; &gt; 0.</param>
    /// <param name="time">Steps per trajectory; ≥ 2.</param>
    /// <returns>The statistics.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size out of range.</exception>
    /// <exception cref="ArgumentException">The length is not batch × time, or a value is not finite.</exception>
    public static TurningStatistics Turning(ReadOnlySpan<float> headings, int batch, int time)
    {
        Guard.Positive(batch);
        if (time < 2) throw new ArgumentOutOfRangeException(nameof(time), time, "time must be >= 2 to have at least one step.");
        Guard.Length(headings.Length, (long)batch * time, nameof(headings), $"[batch, time] = [{batch}, {time}]");
        Guard.AllFinite(headings, nameof(headings));
        var perTrajectory = new double[batch];
        long positive = 0, nonZero = 0;
        double absolute = 0;
        for (int b = 0; b < batch; b++)
        {
            double sum = 0;
            for (int t = 0; t + 1 < time; t++)
            {
                double step = Angles.Difference(headings[b * time + t + 1], headings[b * time + t]);
                sum += step;
                absolute += Math.Abs(step);
                if (step != 0)
                {
                    nonZero++;
                    if (step > 0) positive++;
                }
            }
            perTrajectory[b] = sum / (time - 1);
        }
        int steps = batch * (time - 1);
        return new TurningStatistics(DenoisingGain.Summarize(perTrajectory), nonZero == 0 ? double.NaN : (double)positive / nonZero, absolute / steps, steps);
    }

    private static double Square(double x) => x * x;
}
