using System.Text.Json;
using System.Text.Json.Serialization;

namespace NoisyRnn.Experiments;

/// <summary>The JSON settings of the files an experiment writes (summary.json and the files of the CLI beside it).</summary>
internal static class ExperimentJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        // Nested records without explicit names (settings, evaluations) follow the snake_case of the named fields.
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };
}
