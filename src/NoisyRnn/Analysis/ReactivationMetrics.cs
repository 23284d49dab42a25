namespace NoisyRnn.Analysis;

/// <summary>
/// Summary statistics of output trajectories used by the paper to compare quiescent and active behaviour: how widely
/// the outputs spread (<see cref="OutputVariance"/>) and how far they move per step (<see cref="StepDistances"/>).
/// Trajectories are float32 as produced by the models; all sums are accumulated in double.
/// </summary>
public static class ReactivationMetrics
{
    /// <summary>
    /// Spread of the trajectories: for each trajectory, the trace of the covariance (ddof 1) of its outputs over the
    /// steps <paramref name="shift"/> .. time−1 (the total variance, i.e. the sum of per-coordinate variances), then the
    /// mean over trajectories. Matches the reference analysis, which drops the first <paramref name="shift"/> steps
    /// (1000 of 2000 in the paper) as burn-in.
    /// </summary>
    /// <param name="trajectories">Outputs, shape [count, time, dims] row-major, finite.</param>
    /// <param name="count">Number of trajectories; &gt; 0.</param>
    /// <param name="time">Steps per trajectory; time − shift ≥ 2.</param>
    /// <param name="dims">Output dimension; &gt; 0.</param>
    /// <param name="shift">Steps dropped from the start of each trajectory; 0 ≤ shift ≤ time − 2.</param>
    /// <returns>Mean total variance, in squared output units.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size or <paramref name="shift"/> out of range.</exception>
    /// <exception cref="ArgumentException">Length differs from count × time × dims, or a non-finite value.</exception>
    public static double OutputVariance(ReadOnlySpan<float> trajectories, int count, int time, int dims, int shift)
    {
        CheckShape(trajectories, count, time, dims);
        if (shift < 0 || time - shift < 2)
            throw new ArgumentOutOfRangeException(nameof(shift), shift, $"shift must be in [0, time - 2] = [0, {time - 2}] so that at least two steps remain.");
        int steps = time - shift;
        var mean = new double[dims];
        double total = 0;
        for (int b = 0; b < count; b++)
        {
            ReadOnlySpan<float> traj = trajectories.Slice((b * time + shift) * dims, steps * dims);
            Array.Clear(mean);
            for (int t = 0; t < steps; t++)
                for (int k = 0; k < dims; k++) mean[k] += traj[t * dims + k];
            for (int k = 0; k < dims; k++) mean[k] /= steps;
            double ss = 0;
            for (int t = 0; t < steps; t++)
            {
                for (int k = 0; k < dims; k++)
                {
                    double dev = traj[t * dims + k] - mean[k];
                    ss += dev * dev;
                }
            }
            total += ss / (steps - 1);
        }
        return total / count;
    }

    /// <summary>
    /// Mean Euclidean step length of each trajectory: (1/(time−1)) Σ_t ‖x_{t+1} − x_t‖, as the reference's stepwise
    /// distance. Small steps comparable to the active ones indicate diffusion along the manifold rather than jumps.
    /// </summary>
    /// <param name="trajectories">Outputs, shape [count, time, dims] row-major, finite.</param>
    /// <param name="count">Number of trajectories; &gt; 0.</param>
    /// <param name="time">Steps per trajectory; ≥ 2.</param>
    /// <param name="dims">Output dimension; &gt; 0.</param>
    /// <returns>Per-trajectory mean step length, shape [count], in output units.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size out of range.</exception>
    /// <exception cref="ArgumentException">Length differs from count × time × dims, or a non-finite value.</exception>
    public static double[] StepDistances(ReadOnlySpan<float> trajectories, int count, int time, int dims)
    {
        CheckShape(trajectories, count, time, dims);
        if (time < 2) throw new ArgumentOutOfRangeException(nameof(time), time, "time must be >= 2 to have at least one step.");
        var result = new double[count];
        for (int b = 0; b < count; b++)
        {
            ReadOnlySpan<float> traj = trajectories.Slice(b * time * dims, time * dims);
            double sum = 0;
            for (int t = 0; t + 1 < time; t++)
            {
                double sq = 0;
                for (int k = 0; k < dims; k++)
                {
                    double step = (double)traj[(t + 1) * dims + k] - traj[t * dims + k];
                    sq += step * step;
                }
                sum += Math.Sqrt(sq);
            }
            result[b] = sum / (time - 1);
        }
        return result;
    }

    /// <summary>The mean over trajectories of <see cref="StepDistances"/>: one number per condition, as in the paper's bar plots.</summary>
    /// <param name="trajectories">Outputs, shape [count, time, dims] row-major, finite.</param>
    /// <param name="count">Number of trajectories; &gt; 0.</param>
    /// <param name="time">Steps per trajectory; ≥ 2.</param>
    /// <param name="dims">Output dimension; &gt; 0.</param>
    /// <returns>Mean step length in output units.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size out of range.</exception>
    /// <exception cref="ArgumentException">Length differs from count × time × dims, or a non-finite value.</exception>
    public static double MeanStepDistance(ReadOnlySpan<float> trajectories, int count, int time, int dims)
    {
        double[] perTrajectory = StepDistances(trajectories, count, time, dims);
        double sum = 0;
        foreach (double v in perTrajectory) sum += v;
        return sum / count;
    }

    private static void CheckShape(ReadOnlySpan<float> trajectories, int count, int time, int dims)
    {
        Guard.Positive(count);
        Guard.Positive(time);
        Guard.Positive(dims);
        Guard.Length(trajectories.Length, (long)count * time * dims, nameof(trajectories), $"[count, time, dims] = [{count}, {time}, {dims}]");
        Guard.AllFinite(trajectories, nameof(trajectories));
    }
}
