namespace NoisyRnn.Reference;

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
