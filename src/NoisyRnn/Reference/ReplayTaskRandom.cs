using System.Globalization;
using NoisyRnn.Tasks;

namespace NoisyRnn.Reference;

/// <summary>
/// Replays recorded draws in call order so a generator reproduces another implementation's outputs exactly (the
/// reference fixtures record every numpy draw of the trajectory generator). Each call must match the next record:
/// same distribution, same parameters (to a relative tolerance of 1e-12, which absorbs the last-digit differences
/// of computing, say, scale * pi / 2 in another order) and the same number of values; otherwise an
/// <see cref="InvalidOperationException"/> explains the mismatch and the stream does not advance.
/// </summary>
public sealed class ReplayTaskRandom : ITaskRandom
{
    /// <summary>Relative tolerance on parameter equality; recorded parameters are float64 written by Python.</summary>
    public const double ParameterTolerance = 1e-12;

    private readonly RecordedTaskDraw[] _records;

    /// <summary>Creates a replay stream.</summary>
    /// <param name="records">The recorded calls in the order they will be requested.</param>
    /// <exception cref="ArgumentNullException"><paramref name="records"/> or one of its elements is null.</exception>
    public ReplayTaskRandom(IEnumerable<RecordedTaskDraw> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        _records = records.ToArray();
        for (int i = 0; i < _records.Length; i++)
        {
            if (_records[i] is null) throw new ArgumentNullException(nameof(records), $"Record {i} is null.");
        }
    }

    /// <summary>Number of recorded calls.</summary>
    public int Count => _records.Length;

    /// <summary>Number of recorded calls not yet replayed; 0 once a generator consumed the whole record.</summary>
    public int Remaining => _records.Length - Position;

    /// <summary>Index of the next record to replay.</summary>
    public int Position { get; private set; }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The next record is not a uniform draw with these bounds and count, or none is left.</exception>
    public void Uniform(double low, double high, Span<double> destination) => Replay(TaskDistribution.Uniform, [low, high], destination);

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The next record is not a normal draw with these parameters and count, or none is left.</exception>
    public void Normal(double mean, double std, Span<double> destination) => Replay(TaskDistribution.Normal, [mean, std], destination);

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The next record is not a Rayleigh draw with this scale and count, or none is left.</exception>
    public void Rayleigh(double scale, Span<double> destination) => Replay(TaskDistribution.Rayleigh, [scale], destination);

    private void Replay(TaskDistribution distribution, ReadOnlySpan<double> parameters, Span<double> destination)
    {
        string request = Describe(distribution, parameters, destination.Length);
        if (Position >= _records.Length)
            throw new InvalidOperationException($"Replay exhausted: all {_records.Length} recorded draws were used; call {Position} requested {request}.");
        RecordedTaskDraw record = _records[Position];
        string recorded = Describe(record.Distribution, [.. record.Parameters], record.Values.Count);
        if (record.Distribution != distribution)
            throw new InvalidOperationException($"Replay mismatch at call {Position}: requested {request}, but the record holds {recorded} (different distribution).");
        for (int i = 0; i < parameters.Length; i++)
        {
            double a = parameters[i], b = record.Parameters[i];
            if (!(Math.Abs(a - b) <= ParameterTolerance * Math.Max(Math.Abs(a), Math.Abs(b))) && a != b)
                throw new InvalidOperationException($"Replay mismatch at call {Position}: requested {request}, but the record holds {recorded} (parameter {i} differs).");
        }
        if (record.Values.Count != destination.Length)
            throw new InvalidOperationException($"Replay mismatch at call {Position}: requested {request}, but the record holds {recorded} (different count).");
        for (int i = 0; i < destination.Length; i++) destination[i] = record.Values[i];
        Position++;
    }

    private static string Describe(TaskDistribution distribution, ReadOnlySpan<double> parameters, int count)
    {
        var p = new string[parameters.Length];
        for (int i = 0; i < p.Length; i++) p[i] = parameters[i].ToString("R", CultureInfo.InvariantCulture);
        return $"{distribution}({string.Join(", ", p)}) x {count}";
    }
}
