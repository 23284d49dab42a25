namespace NoisyRnn.Tasks;

/// <summary>
/// A batch of simulated trajectories, stored as float32 row-major arrays (computed in float64, rounded once, as
/// the reference converts its numpy float64 results to float32 tensors). Index conventions follow the reference:
/// the simulation has TimeSteps + 2 positions p_0 .. p_{T+1}; <see cref="InitialPosition"/> is p_1, the target at
/// step t is p_{t+2} and the input at step t is the displacement from p_{t+1} to p_{t+2}.
/// </summary>
public sealed class SpatialTrajectoryBatch
{
    /// <summary>Allocates an empty batch (all zeros) to be filled by <see cref="SpatialTrajectoryGenerator.Generate(ITaskRandom, SpatialTrajectoryBatch)"/>.</summary>
    /// <param name="batchSize">Number of trajectories; &gt; 0.</param>
    /// <param name="timeSteps">Steps per trajectory; &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public SpatialTrajectoryBatch(int batchSize, int timeSteps)
    {
        Guard.Positive(batchSize);
        Guard.Positive(timeSteps);
        BatchSize = batchSize;
        TimeSteps = timeSteps;
        Velocity = new float[checked(batchSize * timeSteps * 2)];
        InitialPosition = new float[batchSize * 2];
        Positions = new float[batchSize * timeSteps * 2];
        HeadDirection = new float[batchSize * timeSteps];
        Speed = new float[batchSize * timeSteps];
    }

    /// <summary>Number of trajectories.</summary>
    public int BatchSize { get; }

    /// <summary>Number of time steps per trajectory.</summary>
    public int TimeSteps { get; }

    /// <summary>
    /// Network input, [batch, time, 2] (x, y), m per step: the displacement of step t, p_{t+2} - p_{t+1}, including
    /// the drift toward the anchor when biased. Reference: <c>traj["v"]</c> / <c>velocity_input</c>.
    /// </summary>
    public float[] Velocity { get; }

    /// <summary>Position the network starts from, [batch, 2] (x, y), m: p_1. Reference: <c>init_pos</c>.</summary>
    public float[] InitialPosition { get; }

    /// <summary>Target positions, [batch, time, 2] (x, y), m: p_{t+2} at step t. Reference: <c>target_pos</c>.</summary>
    public float[] Positions { get; }

    /// <summary>
    /// Heading used for the displacement of step t, [batch, time], rad, wrapped to [-pi, pi) (as numpy's
    /// mod(h + pi, 2 pi) - pi; rounding can in rare cases give exactly pi). Reference: <c>target_hd</c>.
    /// </summary>
    public float[] HeadDirection { get; }

    /// <summary>
    /// Egocentric distance moved along the heading during step t, [batch, time], m per step (speed * Dt after the
    /// border slow-down, without the drift). Reference: <c>ego_v</c>.
    /// </summary>
    public float[] Speed { get; }
}
