using System.Text.Json.Serialization;

namespace NoisyRnn.Experiments;

/// <summary>A KL matrix over seeds: the rows and columns of <see cref="Experiments.KlMatrix"/> and each entry's spread.</summary>
/// <param name="Rows">Row names.</param>
/// <param name="Columns">Column names.</param>
/// <param name="Values">[rows][columns] spreads over seeds.</param>
public sealed record KlMatrixSpread(
    [property: JsonPropertyName("rows")] IReadOnlyList<string> Rows,
    [property: JsonPropertyName("columns")] IReadOnlyList<string> Columns,
    [property: JsonPropertyName("values")] IReadOnlyList<IReadOnlyList<MetricSpread>> Values)
{
    /// <summary>The matrix of the means (null where no seed has a value).</summary>
    /// <returns>The mean matrix.</returns>
    public KlMatrix Means() => new(Rows, Columns, Values.Select(r => (IReadOnlyList<double?>)r.Select(v => v.Mean).ToList()).ToList());
}
