using System.Text.Json.Serialization;

namespace NoisyRnn.Experiments;

/// <summary>Mean and sample standard deviation of one measure over seeds, with the values themselves.</summary>
/// <param name="Mean">Mean of the finite values; null when there are none.</param>
/// <param name="Std">Sample standard deviation (n - 1); null with fewer than two finite values.</param>
/// <param name="Count">Number of finite values.</param>
/// <param name="Values">Every value in seed order; null where the measure does not exist for that seed.</param>
public sealed record MetricSpread(
    [property: JsonPropertyName("mean")] double? Mean,
    [property: JsonPropertyName("std")] double? Std,
    [property: JsonPropertyName("count")] int Count,
    [property: JsonPropertyName("values")] IReadOnlyList<double?> Values)
{
    /// <summary>The spread of <paramref name="values"/> (non-finite values count as missing).</summary>
    /// <param name="values">Values in seed order.</param>
    /// <returns>The spread.</returns>
    public static MetricSpread Of(IReadOnlyList<double?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var finite = values.Where(v => v is { } x && double.IsFinite(x)).Select(v => v!.Value).ToList();
        double? mean = finite.Count > 0 ? finite.Average() : null;
        double? std = finite.Count > 1 ? Math.Sqrt(finite.Sum(x => (x - mean!.Value) * (x - mean.Value)) / (finite.Count - 1)) : null;
        return new MetricSpread(mean, std, finite.Count, values.Select(v => v is { } x && double.IsFinite(x) ? v : null).ToList());
    }

    /// <summary>"mean ± std" with <paramref name="format"/>, "mean" for one value, "n/a" for none.</summary>
    /// <param name="format">A numeric format such as "F3" or "G3".</param>
    /// <returns>The text.</returns>
    public string Format(string format = "G3") =>
        Mean is not { } m ? "n/a"
        : Std is { } s ? $"{m.ToString(format, System.Globalization.CultureInfo.InvariantCulture)} ± {s.ToString(format, System.Globalization.CultureInfo.InvariantCulture)}"
        : m.ToString(format, System.Globalization.CultureInfo.InvariantCulture);
}
