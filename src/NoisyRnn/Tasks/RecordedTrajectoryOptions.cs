namespace NoisyRnn.Tasks;

/// <summary>How <see cref="RecordedTrajectories"/> checks, repairs and resamples a recording. Defaults fit the paper's tasks.</summary>
public sealed record RecordedTrajectoryOptions
{
    /// <summary>Step of the resampled series, s; finite and &gt; 0. Must equal the task's Dt. Default 0.02 (paper).</summary>
    public double Dt { get; init; } = 0.02;

    /// <summary>Width of the box along x, m; finite and &gt; 0; the box spans [-W/2, W/2]. Positions only. Default 2.2.</summary>
    public double BoxWidth { get; init; } = 2.2;

    /// <summary>Height of the box along y, m; finite and &gt; 0; the box spans [-H/2, H/2]. Positions only. Default 2.2.</summary>
    public double BoxHeight { get; init; } = 2.2;

    /// <summary>
    /// Largest distance a recorded position may lie outside the box, m; finite and &gt;= 0. Positions at most this far out
    /// (tracking jitter at a wall) are clamped onto the box edge; farther ones are an error naming the line. Default 0.05.
    /// </summary>
    public double OutsideTolerance { get; init; } = 0.05;

    /// <summary>
    /// Longest time between consecutive usable samples that is bridged by interpolation, s; finite and &gt; 0. A longer gap
    /// ends one segment and starts the next; windows never span a gap. Default 0.5.
    /// </summary>
    public double MaxGap { get; init; } = 0.5;

    /// <summary>
    /// When false (default) an empty or NaN value is an error naming the line. When true such a row is dropped (its time is
    /// still checked) and the resampling interpolates linearly across it from the neighbouring complete rows; a row with one
    /// missing coordinate is dropped whole. Missing rows at the start or end of a segment are trimmed; a run of missing rows
    /// longer than <see cref="MaxGap"/> splits the segment. A missing or NaN time is always an error.
    /// </summary>
    public bool InterpolateMissing { get; init; }

    /// <summary>Checks every property.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A property is out of range; the parameter name is the property's name.</exception>
    public void Validate()
    {
        Guard.Positive(Dt, nameof(Dt));
        Guard.Positive(BoxWidth, nameof(BoxWidth));
        Guard.Positive(BoxHeight, nameof(BoxHeight));
        Guard.NonNegative(OutsideTolerance, nameof(OutsideTolerance));
        Guard.Positive(MaxGap, nameof(MaxGap));
    }
}
