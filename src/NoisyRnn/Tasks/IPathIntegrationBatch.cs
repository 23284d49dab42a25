namespace NoisyRnn.Tasks;

/// <summary>
/// One batch of a path-integration task in the network's terms: change-based inputs, the population code of the start
/// state (given to the encoder) and population-code targets, plus the true task coordinates the targets encode.
/// </summary>
public interface IPathIntegrationBatch
{
    /// <summary>Number of trajectories.</summary>
    int BatchSize { get; }

    /// <summary>Number of time steps.</summary>
    int TimeSteps { get; }

    /// <summary>Network inputs, [batch, time, input].</summary>
    float[] Inputs { get; }

    /// <summary>Population code of the start state, [batch, init].</summary>
    float[] InitialState { get; }

    /// <summary>Population-code targets, [batch, time, output].</summary>
    float[] Targets { get; }

    /// <summary>True task coordinates at each step, [batch, time, decoded] (positions in m, or headings in rad).</summary>
    float[] Coordinates { get; }

    /// <summary>
    /// The targets as rows to be written on demand (row = b·time + t; the same values as <see cref="Targets"/>), for the
    /// fused training pass. The batches of this library's tasks encode them straight from the coordinates while the targets
    /// are deferred (<see cref="IPathIntegrationTask.NextBatch(ITaskRandom, IPathIntegrationBatch, bool)"/>), and copy
    /// <see cref="Targets"/> otherwise. This default copies <see cref="Targets"/>.
    /// </summary>
    Models.ITargetRows TargetRows => new ArrayTargetRows(Targets, BatchSize * TimeSteps);
}
