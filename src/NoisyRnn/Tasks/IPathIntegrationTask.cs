namespace NoisyRnn.Tasks;

/// <summary>Row targets read from a [rows, width] array; checked as the batches of the library check theirs.</summary>
internal sealed class ArrayTargetRows(float[] values, int rows) : Models.ITargetRows
{
    public int RowCount => rows;

    /// <summary>values.Length / rows, or -1 when the array is not a whole number of rows (so no output width fits and a
    /// training pass refuses it, as it refuses the array itself).</summary>
    public int Width => rows > 0 && values.Length % rows == 0 ? values.Length / rows : -1;

    public void WriteRows(int firstRow, int rowCount, Span<float> destination)
    {
        Guard.Range(firstRow, rowCount, rows);
        int width = Width;
        if (width < 0) throw new InvalidOperationException($"Targets has length {values.Length}, not a whole number of {rows} rows.");
        if (destination.Length != (long)rowCount * width)
            throw new ArgumentException($"destination has length {destination.Length}; expected rowCount x width = {(long)rowCount * width}.", nameof(destination));
        values.AsSpan(firstRow * width, rowCount * width).CopyTo(destination);
    }
}

/// <summary>
/// A task in which a network integrates changes into a state it reports through a population code (Krishna et al.,
/// ICLR 2024, Sec. 4): <see cref="SpatialNavigationTask"/> (velocity to place-cell code) and <see cref="HeadDirectionTask"/>
/// (angular velocity to head-direction-cell code). Trainers and the reactivation analysis work through this interface.
/// </summary>
public interface IPathIntegrationTask
{
    /// <summary>Input features per step.</summary>
    int InputSize { get; }

    /// <summary>Population-code width: outputs per step and width of the initial state.</summary>
    int OutputSize { get; }

    /// <summary>Time steps per trajectory.</summary>
    int SequenceLength { get; }

    /// <summary>Coordinates per decoded step: 2 (x, y) for space, 1 (heading) for head direction.</summary>
    int DecodedSize { get; }

    /// <summary>True when the decoded coordinates are angles wrapped to [-pi, pi) (errors use circular differences).</summary>
    bool IsCircular { get; }

    /// <summary>Unit of the decoded coordinates and their errors: "m" or "rad".</summary>
    string CoordinateUnit { get; }

    /// <summary>Allocates a zeroed batch this task can fill.</summary>
    /// <param name="batchSize">Trajectories; &gt; 0.</param>
    /// <returns>A new batch of <see cref="SequenceLength"/> steps.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    IPathIntegrationBatch AllocateBatch(int batchSize);

    /// <summary>Overwrites <paramref name="destination"/> with a new batch drawn from <paramref name="random"/>.</summary>
    /// <param name="random">The task stream.</param>
    /// <param name="destination">A batch from <see cref="AllocateBatch"/> of this task.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> does not fit this task.</exception>
    void NextBatch(ITaskRandom random, IPathIntegrationBatch destination);

    /// <summary>
    /// As <see cref="NextBatch(ITaskRandom, IPathIntegrationBatch)"/>; with <paramref name="encodeTargets"/> false the
    /// [batch, time, output] targets may be left to be encoded when first needed: row by row through
    /// <see cref="IPathIntegrationBatch.TargetRows"/> (what the trainer's fused pass does, in cache), or all at once on the
    /// first read of <see cref="IPathIntegrationBatch.Targets"/>. Either way the values are those an immediate encoding gives.
    /// Do not keep a reference to the Targets array across this call: it is filled on the next read of the property. This
    /// default always encodes.
    /// </summary>
    /// <param name="random">The task stream.</param>
    /// <param name="destination">A batch from <see cref="AllocateBatch"/> of this task.</param>
    /// <param name="encodeTargets">False to defer the targets.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> does not fit this task.</exception>
    void NextBatch(ITaskRandom random, IPathIntegrationBatch destination, bool encodeTargets) => NextBatch(random, destination);

    /// <summary>Decodes population-code rows into task coordinates by the top-3 rule.</summary>
    /// <param name="outputs">[n, output] row-major; finite.</param>
    /// <param name="decoded">Receives [n, decoded].</param>
    /// <exception cref="ArgumentException">A length does not match or a value is not finite.</exception>
    void Decode(ReadOnlySpan<float> outputs, Span<float> decoded);

    /// <summary>Mean error and mean per-coordinate squared error between decoded and true coordinates
    /// (Euclidean for space, circular for head direction), in <see cref="CoordinateUnit"/> and its square.</summary>
    /// <param name="decoded">[n, decoded].</param>
    /// <param name="truth">[n, decoded].</param>
    /// <returns>(mean error, mean squared error).</returns>
    /// <exception cref="ArgumentException">Lengths differ or do not fit [n, decoded].</exception>
    (double MeanError, double MeanSquaredError) DecodingErrors(ReadOnlySpan<float> decoded, ReadOnlySpan<float> truth);
}
