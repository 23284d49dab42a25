namespace NoisyRnn.Tasks;

/// <summary>
/// The spatial navigation task of Krishna et al. (ICLR 2024, section 4.1): trajectories from a
/// <see cref="SpatialTrajectoryGenerator"/> encoded by <see cref="Tasks.PlaceCells"/>. A trainer calls
/// <see cref="NextBatch(int, ITaskRandom)"/> (or the buffer-reusing overload) once per step.
/// </summary>
public sealed class SpatialNavigationTask : IPathIntegrationTask
{
    /// <summary>Creates the task.</summary>
    /// <param name="options">Trajectory parameters; validated.</param>
    /// <param name="placeCells">Place cells used for the initial state and the targets (paper: 512 cells, sigma 0.2 m).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public SpatialNavigationTask(SpatialNavigationOptions options, PlaceCells placeCells)
    {
        ArgumentNullException.ThrowIfNull(placeCells);
        Generator = new SpatialTrajectoryGenerator(options);
        PlaceCells = placeCells;
    }

    /// <summary>The trajectory parameters.</summary>
    public SpatialNavigationOptions Options => Generator.Options;

    /// <summary>The trajectory generator.</summary>
    public SpatialTrajectoryGenerator Generator { get; }

    /// <summary>The place cells.</summary>
    public PlaceCells PlaceCells { get; }

    /// <summary>Number of input features per step: 2 (velocity x, y).</summary>
    public int InputSize => 2;

    /// <summary>Number of outputs per step and width of the initial state: the place cell count.</summary>
    public int OutputSize => PlaceCells.Count;

    /// <inheritdoc />
    public int SequenceLength => Options.SequenceLength;

    /// <summary>2 (x, y).</summary>
    public int DecodedSize => 2;

    /// <summary>False: positions are not angles.</summary>
    public bool IsCircular => false;

    /// <summary>"m".</summary>
    public string CoordinateUnit => "m";

    /// <inheritdoc />
    public IPathIntegrationBatch AllocateBatch(int batchSize) => new SpatialNavigationBatch(batchSize, Options.SequenceLength, PlaceCells.Count);

    void IPathIntegrationTask.NextBatch(ITaskRandom random, IPathIntegrationBatch destination) =>
        ((IPathIntegrationTask)this).NextBatch(random, destination, encodeTargets: true);

    void IPathIntegrationTask.NextBatch(ITaskRandom random, IPathIntegrationBatch destination, bool encodeTargets)
    {
        ArgumentNullException.ThrowIfNull(destination);
        NextBatch(random, destination as SpatialNavigationBatch
            ?? throw new ArgumentException($"destination must be a {nameof(SpatialNavigationBatch)}.", nameof(destination)), encodeTargets);
    }

    /// <summary>Top-3 place-cell decoding (<see cref="PlaceCells.Decode"/>).</summary>
    /// <param name="outputs">[n, cells]; finite.</param>
    /// <param name="decoded">Receives [n, 2] positions, m.</param>
    /// <exception cref="ArgumentException">A length does not match or a value is not finite.</exception>
    public void Decode(ReadOnlySpan<float> outputs, Span<float> decoded) => PlaceCells.Decode(outputs, decoded);

    /// <summary>Mean Euclidean error (m) and mean per-coordinate squared error (m^2, reference <c>pos_mse</c>) between two [n, 2] position arrays.</summary>
    /// <param name="decoded">Decoded positions [n, 2].</param>
    /// <param name="truth">True positions [n, 2].</param>
    /// <returns>(mean distance, mean squared coordinate error).</returns>
    /// <exception cref="ArgumentException">Lengths differ or are not even, or a value is not finite.</exception>
    public (double MeanError, double MeanSquaredError) DecodingErrors(ReadOnlySpan<float> decoded, ReadOnlySpan<float> truth) =>
        PositionErrors(decoded, truth);

    /// <summary>Mean Euclidean error (m) and mean per-coordinate squared error (m^2) between two [n, 2] position arrays.</summary>
    internal static (double MeanError, double MeanSquaredError) PositionErrors(ReadOnlySpan<float> decoded, ReadOnlySpan<float> truth)
    {
        Guard.Length(truth.Length, decoded.Length, nameof(truth), "decoded.Length");
        if (decoded.Length == 0 || decoded.Length % 2 != 0) throw new ArgumentException($"decoded must hold [n, 2] positions; length is {decoded.Length}.", nameof(decoded));
        Guard.AllFinite(decoded, nameof(decoded));
        Guard.AllFinite(truth, nameof(truth));
        double dist = 0, sq = 0;
        for (int i = 0; i < decoded.Length; i += 2)
        {
            double dx = decoded[i] - truth[i], dy = decoded[i + 1] - truth[i + 1];
            double d2 = dx * dx + dy * dy;
            sq += d2;
            dist += Math.Sqrt(d2);
        }
        int n = decoded.Length / 2;
        return (dist / n, sq / (2.0 * n));
    }

    /// <summary>Generates a new batch of <see cref="SpatialNavigationOptions.SequenceLength"/> steps.</summary>
    /// <param name="batchSize">Number of trajectories; &gt; 0 (paper: 200).</param>
    /// <param name="random">The task stream; consumed as documented on <see cref="SpatialTrajectoryGenerator"/>.</param>
    /// <returns>A new batch.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    public SpatialNavigationBatch NextBatch(int batchSize, ITaskRandom random)
    {
        Guard.Positive(batchSize);
        ArgumentNullException.ThrowIfNull(random);
        var batch = new SpatialNavigationBatch(batchSize, Options.SequenceLength, PlaceCells.Count);
        NextBatch(random, batch);
        return batch;
    }

    /// <summary>Overwrites <paramref name="destination"/> with a new batch, reusing its arrays (about 41 MB at the paper's size).</summary>
    /// <param name="random">The task stream.</param>
    /// <param name="destination">A batch with <see cref="SpatialNavigationOptions.SequenceLength"/> steps and <see cref="OutputSize"/> cells.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong time steps or cell count.</exception>
    public void NextBatch(ITaskRandom random, SpatialNavigationBatch destination) => NextBatch(random, destination, encodeTargets: true);

    /// <summary>Overwrites <paramref name="destination"/> with a new batch, reusing its arrays; with
    /// <paramref name="encodeTargets"/> false the place-cell targets are left to be encoded on demand (see
    /// <see cref="IPathIntegrationTask.NextBatch(ITaskRandom, IPathIntegrationBatch, bool)"/>).</summary>
    /// <param name="random">The task stream.</param>
    /// <param name="destination">A batch with <see cref="SpatialNavigationOptions.SequenceLength"/> steps and <see cref="OutputSize"/> cells.</param>
    /// <param name="encodeTargets">False to defer the targets.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong time steps or cell count.</exception>
    public void NextBatch(ITaskRandom random, SpatialNavigationBatch destination, bool encodeTargets)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(destination);
        if (destination.CellCount != PlaceCells.Count)
            throw new ArgumentException($"destination has {destination.CellCount} cells; expected {PlaceCells.Count}.", nameof(destination));
        if (destination.TimeSteps != Options.SequenceLength)
            throw new ArgumentException($"destination has {destination.TimeSteps} time steps; expected SequenceLength = {Options.SequenceLength}.", nameof(destination));
        Generator.Generate(random, destination.Trajectories);
        PlaceCells.Encode(destination.InitialPosition, destination.InitialState);
        destination.SetTargets(PlaceCells, encodeTargets);
    }

    /// <summary>Builds a network batch from given trajectories (for example replayed or user-recorded ones); the arrays of <paramref name="trajectories"/> are shared, not copied.</summary>
    /// <param name="trajectories">The trajectories; velocities and positions must be finite.</param>
    /// <returns>A batch whose inputs and positions are those of <paramref name="trajectories"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="trajectories"/> is null.</exception>
    /// <exception cref="ArgumentException">A velocity is not finite (ParamName "trajectories"), or a position is not finite
    /// (ParamName "positions", from the place-cell encoding).</exception>
    public SpatialNavigationBatch CreateBatch(SpatialTrajectoryBatch trajectories)
    {
        ArgumentNullException.ThrowIfNull(trajectories);
        RequireFinite(trajectories.Velocity, nameof(SpatialTrajectoryBatch.Velocity), nameof(trajectories));
        var batch = new SpatialNavigationBatch(trajectories, PlaceCells.Count);
        Encode(batch);
        return batch;
    }

    private static void RequireFinite(float[] values, string array, string paramName)
    {
        if (System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(values)) return;
        int i = Array.FindIndex(values, v => !float.IsFinite(v));
        throw new ArgumentException($"{paramName}.{array} must be finite; element {i} is {values[i]}.", paramName);
    }

    private void Encode(SpatialNavigationBatch batch)
    {
        PlaceCells.Encode(batch.InitialPosition, batch.InitialState);
        batch.SetTargets(PlaceCells, encodeNow: true);
    }
}
