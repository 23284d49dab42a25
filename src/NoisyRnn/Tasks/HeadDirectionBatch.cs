using System.Buffers;

namespace NoisyRnn.Tasks;

/// <summary>
/// One batch of the head-direction task (reference: the batch dictionary of <c>HeadDirection.get_generator</c>): angular
/// velocity inputs, the HD-cell code of the start heading and HD-cell targets, plus the headings themselves.
/// </summary>
public sealed class HeadDirectionBatch : IPathIntegrationBatch
{
    /// <summary>Allocates a zeroed batch.</summary>
    /// <param name="batchSize">Trajectories; &gt; 0.</param>
    /// <param name="timeSteps">Steps per trajectory; &gt; 0.</param>
    /// <param name="cellCount">Number of HD cells; &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public HeadDirectionBatch(int batchSize, int timeSteps, int cellCount)
    {
        Guard.Positive(batchSize);
        Guard.Positive(timeSteps);
        Guard.Positive(cellCount);
        BatchSize = batchSize;
        TimeSteps = timeSteps;
        CellCount = cellCount;
        Inputs = new float[checked(batchSize * timeSteps)];
        InitialHeading = new float[batchSize];
        Headings = new float[checked(batchSize * timeSteps)];
        InitialState = new float[checked(batchSize * cellCount)];
        _targets = new DeferredTargets(Headings, 1, cellCount);
    }

    private readonly DeferredTargets _targets;

    /// <inheritdoc />
    public int BatchSize { get; }

    /// <inheritdoc />
    public int TimeSteps { get; }

    /// <summary>Number of HD cells (the network's output and initial-state width).</summary>
    public int CellCount { get; }

    /// <summary>Angular displacement per step, [batch, time, 1], rad per step (Dt times the turn). Reference <c>ang_v</c>.</summary>
    public float[] Inputs { get; }

    /// <summary>Start headings wrapped to [-pi, pi), [batch], rad. Reference <c>init_hd</c>.</summary>
    public float[] InitialHeading { get; }

    /// <summary>Headings after each step wrapped to [-pi, pi), [batch, time], rad. Reference <c>target_hd</c>.</summary>
    public float[] Headings { get; }

    /// <summary>HD-cell code of the start heading, [batch, cells]. Reference <c>init_state</c>.</summary>
    public float[] InitialState { get; }

    /// <summary>HD-cell code of the headings, [batch, time, cells]. Reference <c>targets</c>. When the batch was drawn with
    /// its targets deferred, the first read encodes them (the whole array, on all cores).</summary>
    public float[] Targets => _targets.Values;

    /// <summary>False while the targets are deferred (see <see cref="IPathIntegrationTask.NextBatch(ITaskRandom, IPathIntegrationBatch, bool)"/>).</summary>
    public bool TargetsEncoded => _targets.Encoded;

    /// <summary>The targets row by row: encoded from <see cref="Headings"/> while deferred, copied from <see cref="Targets"/> otherwise.
    /// Safe to use from several threads at once for disjoint rows (while nobody reads <see cref="Targets"/>).</summary>
    public Models.ITargetRows TargetRows => _targets;

    /// <summary>Sets the targets to the code of the current headings, now or on demand.</summary>
    internal void SetTargets(HeadDirectionCells cells, bool encodeNow) => _targets.Set(cells, encodeNow);

    /// <summary>The headings, [batch, time, 1], rad: the same array as <see cref="Headings"/>.</summary>
    public float[] Coordinates => Headings;
}
