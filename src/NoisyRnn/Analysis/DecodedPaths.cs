using MathNet.Numerics.Statistics;
using NoisyRnn.Tasks;

namespace NoisyRnn.Analysis;

/// <summary>
/// Decoded paths of one condition (waking or quiescent) for the replay metrics of <see cref="ReplayAnalysis"/>: positions
/// in the plane, [batch, time, 2] in m, or headings on the circle, [batch, time] in rad. A copy of the data in double.
/// Headings are stored unwrapped along each chain (successive steps joined by their circular difference,
/// <see cref="Angles.Difference"/>), so every displacement measure uses circular differences and a crossing of ±π is a
/// small step; occupancy measures use the headings wrapped to [−π, π).
/// </summary>
public sealed class DecodedPaths
{
    private readonly double[] _coordinates; // [batch, time, dims]; headings unwrapped

    private DecodedPaths(double[] coordinates, int batch, int time, int dims, bool circular, double stepSeconds)
    {
        _coordinates = coordinates;
        Batch = batch;
        Time = time;
        Dimensions = dims;
        IsCircular = circular;
        StepSeconds = stepSeconds;
    }

    /// <summary>Number of chains (trajectories).</summary>
    public int Batch { get; }

    /// <summary>Points per chain.</summary>
    public int Time { get; }

    /// <summary>Coordinates per point: 2 for the plane, 1 for the circle.</summary>
    public int Dimensions { get; }

    /// <summary>True for headings on the circle (rad), false for positions in the plane (m).</summary>
    public bool IsCircular { get; }

    /// <summary>Time between successive points, s.</summary>
    public double StepSeconds { get; }

    /// <summary>Positions in the plane.</summary>
    /// <param name="positions">[batch, time, 2] row-major (x, y), m; finite.</param>
    /// <param name="batch">Chains; &gt; 0.</param>
    /// <param name="time">Points per chain; ≥ 2.</param>
    /// <param name="stepSeconds">Time per step, s (the task's Dt, 0.02 s in the paper, for waking and quiescent paths alike); finite and &gt; 0.</param>
    /// <returns>The paths.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size or <paramref name="stepSeconds"/> is out of range.</exception>
    /// <exception cref="ArgumentException">The length is not batch · time · 2, or a value is not finite.</exception>
    public static DecodedPaths Planar(ReadOnlySpan<float> positions, int batch, int time, double stepSeconds)
    {
        Check(positions, batch, time, 2, stepSeconds, nameof(positions));
        var data = new double[positions.Length];
        for (int i = 0; i < data.Length; i++) data[i] = positions[i];
        return new DecodedPaths(data, batch, time, 2, false, stepSeconds);
    }

    /// <summary>Headings on the circle.</summary>
    /// <param name="headings">[batch, time] row-major, rad; finite; wrapped or not (only circular differences are used).</param>
    /// <param name="batch">Chains; &gt; 0.</param>
    /// <param name="time">Points per chain; ≥ 2.</param>
    /// <param name="stepSeconds">Time per step, s; finite and &gt; 0.</param>
    /// <returns>The paths.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size or <paramref name="stepSeconds"/> is out of range.</exception>
    /// <exception cref="ArgumentException">The length is not batch · time, or a value is not finite.</exception>
    public static DecodedPaths Circular(ReadOnlySpan<float> headings, int batch, int time, double stepSeconds)
    {
        Check(headings, batch, time, 1, stepSeconds, nameof(headings));
        var data = new double[headings.Length];
        for (int b = 0; b < batch; b++)
        {
            double u = headings[b * time];
            data[b * time] = u;
            for (int t = 1; t < time; t++)
            {
                u += Angles.Difference(headings[b * time + t], headings[b * time + t - 1]);
                data[b * time + t] = u;
            }
        }
        return new DecodedPaths(data, batch, time, 1, true, stepSeconds);
    }

    /// <summary>The decoded output of a path-integration task: <see cref="Planar"/> or <see cref="Circular"/> by <see cref="IPathIntegrationTask.IsCircular"/>.</summary>
    /// <param name="task">The task (gives the dimension and whether it is circular).</param>
    /// <param name="decoded">[batch, time, task.DecodedSize] row-major, as from the task's Decode; finite.</param>
    /// <param name="batch">Chains; &gt; 0.</param>
    /// <param name="time">Points per chain; ≥ 2.</param>
    /// <param name="stepSeconds">Time per step, s; finite and &gt; 0.</param>
    /// <returns>The paths.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size or <paramref name="stepSeconds"/> is out of range.</exception>
    /// <exception cref="ArgumentException">The length does not match, the task's decoded size is neither 1 (circular) nor 2 (planar), or a value is not finite.</exception>
    public static DecodedPaths FromTask(IPathIntegrationTask task, ReadOnlySpan<float> decoded, int batch, int time, double stepSeconds)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.IsCircular && task.DecodedSize == 1) return Circular(decoded, batch, time, stepSeconds);
        if (!task.IsCircular && task.DecodedSize == 2) return Planar(decoded, batch, time, stepSeconds);
        throw new ArgumentException($"task decodes {task.DecodedSize} coordinates (circular: {task.IsCircular}); replay metrics need 2 planar or 1 circular.", nameof(task));
    }

    /// <summary>The points [start, start + length) of every chain (to drop a burn-in, or to compare windows of equal duration).</summary>
    /// <param name="start">First point; ≥ 0.</param>
    /// <param name="length">Points per chain; ≥ 2; start + length ≤ Time.</param>
    /// <returns>The window, with the same step.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The window is not within [0, Time) or shorter than 2.</exception>
    public DecodedPaths Window(int start, int length)
    {
        if (start < 0 || length < 2 || (long)start + length > Time)
            throw new ArgumentOutOfRangeException(nameof(length), $"window [{start}, {(long)start + length}) must lie in [0, {Time}) and hold at least 2 points.");
        var data = new double[Batch * length * Dimensions];
        for (int b = 0; b < Batch; b++)
            _coordinates.AsSpan((b * Time + start) * Dimensions, length * Dimensions).CopyTo(data.AsSpan(b * length * Dimensions));
        return new DecodedPaths(data, Batch, length, Dimensions, IsCircular, StepSeconds);
    }

    /// <summary>Chain <paramref name="chain"/>'s coordinates, [time, dims] (headings unwrapped).</summary>
    internal ReadOnlySpan<double> Chain(int chain) => _coordinates.AsSpan(chain * Time * Dimensions, Time * Dimensions);

    /// <summary>All points of all chains as one cloud (for occupancy densities and distances).</summary>
    /// <returns>A copy, [batch · time, dims] row-major; m, or headings wrapped to [−π, π).</returns>
    public double[] OccupancyPoints()
    {
        var points = (double[])_coordinates.Clone();
        if (IsCircular)
            for (int i = 0; i < points.Length; i++) points[i] = Angles.Wrap(points[i]);
        return points;
    }

    private static void Check(ReadOnlySpan<float> data, int batch, int time, int dims, double stepSeconds, string name)
    {
        Guard.Positive(batch);
        if (time < 2) throw new ArgumentOutOfRangeException(nameof(time), time, "time must be >= 2 (at least one step).");
        Guard.Positive(stepSeconds);
        Guard.Length(data.Length, (long)batch * time * dims, name, dims == 1 ? $"[batch, time] = [{batch}, {time}]" : $"[batch, time, {dims}] = [{batch}, {time}, {dims}]");
        Guard.AllFinite(data, name);
    }
}
