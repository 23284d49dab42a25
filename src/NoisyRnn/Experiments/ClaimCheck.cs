using System.Text.Json.Serialization;

namespace NoisyRnn.Experiments;

/// <summary>One of the paper's predictions checked on one configuration over its seeds.</summary>
/// <param name="Id">Short stable identifier (for example "decoded-kl-contrast").</param>
/// <param name="Claim">The prediction in words.</param>
/// <param name="Measure">The measure and the criterion per seed.</param>
/// <param name="Value">The measure over seeds.</param>
/// <param name="Holding">Seeds where the criterion held.</param>
/// <param name="Tested">Seeds where it could be tested.</param>
/// <param name="Outcome">The verdict.</param>
/// <param name="Note">Why it was not tested, or null.</param>
public sealed record ClaimCheck(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("claim")] string Claim,
    [property: JsonPropertyName("measure")] string Measure,
    [property: JsonPropertyName("value")] MetricSpread Value,
    [property: JsonPropertyName("holding")] int Holding,
    [property: JsonPropertyName("tested")] int Tested,
    [property: JsonPropertyName("outcome")] ClaimOutcome Outcome,
    [property: JsonPropertyName("note")] string? Note)
{
    /// <summary>"holds (3/3 seeds)", "does not hold (0/3)", "mixed (2/3)" or "not tested".</summary>
    [JsonIgnore]
    public string Verdict => Outcome switch
    {
        ClaimOutcome.Holds => $"holds ({Holding}/{Tested} seed{(Tested == 1 ? "" : "s")})",
        ClaimOutcome.DoesNotHold => $"does not hold ({Holding}/{Tested})",
        ClaimOutcome.Mixed => $"mixed ({Holding}/{Tested})",
        _ => "not tested",
    };
}
