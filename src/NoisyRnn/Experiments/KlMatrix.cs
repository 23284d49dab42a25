using System.Text.Json.Serialization;

namespace NoisyRnn.Experiments;

/// <summary>
/// KL(row || column) in nats between every quiescent distribution (each run, the untrained random network, uniform over
/// the arena) and the active distribution of each trained network; null where the row's density does not exist.
/// </summary>
/// <param name="Rows">Row names: the runs, "random network", "uniform over the arena" (or circle).</param>
/// <param name="Columns">Column names: "&lt;network&gt; active".</param>
/// <param name="Values">[rows][columns] KL values in nats, null where undefined.</param>
public sealed record KlMatrix(
    [property: JsonPropertyName("rows")] IReadOnlyList<string> Rows,
    [property: JsonPropertyName("columns")] IReadOnlyList<string> Columns,
    [property: JsonPropertyName("values")] IReadOnlyList<IReadOnlyList<double?>> Values);
