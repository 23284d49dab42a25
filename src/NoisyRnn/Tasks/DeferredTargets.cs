namespace NoisyRnn.Tasks;

/// <summary>A population code that can write rows of targets from task coordinates: <see cref="HeadDirectionCells"/>
/// (1 coordinate per row, the heading) and <see cref="PlaceCells"/> (2, the position).</summary>
internal interface ITargetEncoder
{
    /// <summary>Encodes all rows, checked and on all cores.</summary>
    void Encode(ReadOnlySpan<float> coordinates, Span<float> activations);

    /// <summary>Encodes a few rows on the calling thread without argument checks (the caller checked the shapes).</summary>
    void EncodeRows(ReadOnlySpan<float> coordinates, Span<float> activations);
}

/// <summary>
/// A batch's [batch, time, cells] targets, encoded from its coordinates either at once or on demand
/// (<see cref="IPathIntegrationTask.NextBatch(ITaskRandom, IPathIntegrationBatch, bool)"/>): row by row through
/// <see cref="WriteRows"/> (encoded while deferred, copied once encoded), or whole on the first read of
/// <see cref="Values"/>. Rows may be written from several threads at once while nobody reads <see cref="Values"/>.
/// </summary>
internal sealed class DeferredTargets(float[] coordinates, int coordinatesPerRow, int width) : Models.ITargetRows
{
    private readonly float[] _values = new float[checked(coordinates.Length / coordinatesPerRow * width)];

    /// <summary>The encoder whose code of the coordinates is still to be written (deferred), else null.</summary>
    private ITargetEncoder? _pending;

    /// <summary>The targets, encoded now if they were deferred.</summary>
    public float[] Values
    {
        get
        {
            if (_pending is { } encoder)
            {
                encoder.Encode(coordinates, _values);
                _pending = null;
            }
            return _values;
        }
    }

    /// <summary>False while deferred.</summary>
    public bool Encoded => _pending is null;

    /// <inheritdoc />
    public int RowCount => coordinates.Length / coordinatesPerRow;

    /// <inheritdoc />
    public int Width => width;

    /// <summary>Sets the targets to the code of the current coordinates, now or on demand.</summary>
    public void Set(ITargetEncoder encoder, bool encodeNow)
    {
        _pending = null;
        if (encodeNow) encoder.Encode(coordinates, _values);
        else _pending = encoder;
    }

    /// <inheritdoc />
    public void WriteRows(int firstRow, int rowCount, Span<float> destination)
    {
        Guard.Range(firstRow, rowCount, RowCount);
        if (destination.Length != rowCount * width)
            throw new ArgumentException($"destination has length {destination.Length}; expected rowCount x width = {rowCount * width}.", nameof(destination));
        if (_pending is { } encoder) encoder.EncodeRows(coordinates.AsSpan(firstRow * coordinatesPerRow, rowCount * coordinatesPerRow), destination);
        else _values.AsSpan(firstRow * width, rowCount * width).CopyTo(destination);
    }
}
