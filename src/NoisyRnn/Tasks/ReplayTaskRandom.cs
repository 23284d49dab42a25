using System.Globalization;

namespace NoisyRnn.Tasks;

/// <summary>
/// One recorded call of a task's random stream: the distribution, its parameters and the values returned, in
/// row-major order (for example one entry of <c>random_draws_in_call_order</c> in the reference fixtures).
/// </summary>
public sealed class RecordedTaskDraw
{
    /// <summary>Creates a record.</summary>
    /// <param name="distribution">The distribution the values came from.</param>
    /// <param name="parameters">(low, high) for uniform, (mean, std) for normal, (scale) for Rayleigh; copied.</param>
    /// <param name="values">The drawn values in the order they were returned; copied.</param>
    /// <exception cref="ArgumentNullException">An array is null.</exception>
    /// <exception cref="ArgumentException">The parameter count does not match the distribution.</exception>
    public RecordedTaskDraw(TaskDistribution distribution, double[] parameters, double[] values)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(values);
        int expected = ParameterCount(distribution);
        if (parameters.Length != expected)
            throw new ArgumentException($"A {distribution} draw has {expected} parameter(s); {parameters.Length} were given.", nameof(parameters));
        Distribution = distribution;
        Parameters = (double[])parameters.Clone();
        Values = (double[])values.Clone();
    }

    /// <summary>The distribution the values came from.</summary>
    public TaskDistribution Distribution { get; }

    /// <summary>(low, high) for uniform, (mean, std) for normal, (scale) for Rayleigh.</summary>
    public IReadOnlyList<double> Parameters { get; }

    /// <summary>The recorded values, in the order they were returned.</summary>
    public IReadOnlyList<double> Values { get; }

    /// <summary>A uniform record with bounds [low, high).</summary>
    /// <param name="low">Lower bound.</param><param name="high">Upper bound.</param><param name="values">The values; copied.</param>
    /// <returns>The record.</returns>
    public static RecordedTaskDraw Uniform(double low, double high, double[] values) => new(TaskDistribution.Uniform, [low, high], values);

    /// <summary>A normal record N(mean, std^2).</summary>
    /// <param name="mean">Mean.</param><param name="std">Standard deviation.</param><param name="values">The values; copied.</param>
    /// <returns>The record.</returns>
    public static RecordedTaskDraw Normal(double mean, double std, double[] values) => new(TaskDistribution.Normal, [mean, std], values);

    /// <summary>A Rayleigh record with the given scale.</summary>
    /// <param name="scale">Scale.</param><param name="values">The values; copied.</param>
    /// <returns>The record.</returns>
    public static RecordedTaskDraw Rayleigh(double scale, double[] values) => new(TaskDistribution.Rayleigh, [scale], values);

    internal static int ParameterCount(TaskDistribution distribution) => distribution switch
    {
        TaskDistribution.Uniform => 2,
        TaskDistribution.Normal => 2,
        TaskDistribution.Rayleigh => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(distribution), distribution, "Unknown distribution."),
    };
}

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
