namespace NoisyRnn.Tasks;

/// <summary>
/// One training batch of the spatial navigation task in the network's terms (reference: the batch dictionary of
/// <c>SpatialNavigation.get_generator</c>): velocity inputs, the place code of the start position that initialises
/// the hidden state through the encoder, and place-code targets; plus the underlying trajectories.
/// </summary>
public sealed class SpatialNavigationBatch : IPathIntegrationBatch
{
    /// <summary>Allocates a zeroed batch to be filled by <see cref="SpatialNavigationTask.NextBatch(ITaskRandom, SpatialNavigationBatch)"/>.</summary>
    /// <param name="batchSize">Number of trajectories; &gt; 0.</param>
    /// <param name="timeSteps">Steps per trajectory; &gt; 0.</param>
    /// <param name="cellCount">Number of place cells; &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public SpatialNavigationBatch(int batchSize, int timeSteps, int cellCount)
    {
        Guard.Positive(batchSize);
        Guard.Positive(timeSteps);
        Guard.Positive(cellCount);
        CellCount = cellCount;
        Trajectories = new SpatialTrajectoryBatch(batchSize, timeSteps);
        InitialState = new float[checked(batchSize * cellCount)];
        _targets = new DeferredTargets(Trajectories.Positions, 2, cellCount);
    }

    internal SpatialNavigationBatch(SpatialTrajectoryBatch trajectories, int cellCount)
    {
        CellCount = cellCount;
        Trajectories = trajectories;
        InitialState = new float[checked(trajectories.BatchSize * cellCount)];
        _targets = new DeferredTargets(trajectories.Positions, 2, cellCount);
    }

    private readonly DeferredTargets _targets;

    /// <summary>False while the targets are deferred (see <see cref="IPathIntegrationTask.NextBatch(ITaskRandom, IPathIntegrationBatch, bool)"/>).</summary>
    public bool TargetsEncoded => _targets.Encoded;

    /// <summary>The targets row by row: encoded from <see cref="Positions"/> while deferred, copied from <see cref="Targets"/>
    /// otherwise. Safe to use from several threads at once for disjoint rows (while nobody reads <see cref="Targets"/>).</summary>
    public Models.ITargetRows TargetRows => _targets;

    /// <summary>Sets the targets to the place code of the current positions, now or on demand.</summary>
    internal void SetTargets(PlaceCells cells, bool encodeNow) => _targets.Set(cells, encodeNow);

    /// <summary>Number of trajectories.</summary>
    public int BatchSize => Trajectories.BatchSize;

    /// <summary>Number of time steps.</summary>
    public int TimeSteps => Trajectories.TimeSteps;

    /// <summary>Number of place cells (the network's output and initial-state width).</summary>
    public int CellCount { get; }

    /// <summary>Network inputs, [batch, time, 2], m per step: the same array as <see cref="SpatialTrajectoryBatch.Velocity"/>. Reference: <c>data</c>.</summary>
    public float[] Inputs => Trajectories.Velocity;

    /// <summary>Place code of the start position, [batch, cells]; each row sums to 1. Reference: <c>init_state</c>.</summary>
    public float[] InitialState { get; }

    /// <summary>Place code of the target positions, [batch, time, cells]; each row sums to 1. Reference: <c>targets</c>. When the
    /// batch was drawn with its targets deferred, the first read encodes them (the whole array, on all cores).</summary>
    public float[] Targets => _targets.Values;

    /// <summary>Target positions, [batch, time, 2], m: the same array as <see cref="SpatialTrajectoryBatch.Positions"/>. Reference: <c>target_pos</c>.</summary>
    public float[] Positions => Trajectories.Positions;

    /// <summary>Start positions, [batch, 2], m: the same array as <see cref="SpatialTrajectoryBatch.InitialPosition"/>. Reference: <c>init_pos</c>.</summary>
    public float[] InitialPosition => Trajectories.InitialPosition;

    /// <summary>The positions, [batch, time, 2], m: the same array as <see cref="Positions"/>.</summary>
    public float[] Coordinates => Positions;

    /// <summary>The trajectories the batch was built from (heading and speed included).</summary>
    public SpatialTrajectoryBatch Trajectories { get; }
}
