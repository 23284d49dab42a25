namespace NoisyRnn.Tasks;

/// <summary>What a recorded trajectory file holds.</summary>
public enum RecordedTrajectoryKind
{
    /// <summary>Positions: header <c>t,x,y</c>, time in s, x and y in m.</summary>
    Positions = 0,

    /// <summary>Headings: header <c>t,heading</c>, time in s, heading in rad (any range up to |heading| &lt;= 1e9; unwrapped on loading).</summary>
    Headings = 1,
}
