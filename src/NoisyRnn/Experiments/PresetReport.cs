using System.Text.Json.Serialization;

namespace NoisyRnn.Experiments;

/// <summary>One configuration of a report: its measures over the finished seeds and the paper's predictions checked on them.</summary>
/// <param name="Preset">The configuration's name.</param>
/// <param name="Task">"spatial" or "head-direction".</param>
/// <param name="Model">"vanilla" or "gru".</param>
/// <param name="Biased">Whether its trajectories are biased.</param>
/// <param name="Seeds">The finished seeds, in order.</param>
/// <param name="Folders">Their run folders, relative to the report's root.</param>
/// <param name="Unit">Decoding unit ("m" or "rad").</param>
/// <param name="WallSeconds">Wall time of each seed's finishing process (summary.json <c>wall_seconds</c>; training of a resumed
/// run counts only its last part), s; <see cref="TotalWallSeconds"/> is the cumulative time.</param>
/// <param name="Networks">Per network name, per measure (decoding_error, test_loss, kl_uniform_to_active): the spread over seeds.</param>
/// <param name="Runs">Per quiescence run name, per measure: the spread over seeds.</param>
/// <param name="KlMatrix">The KL matrix's rows and columns with the spread of every entry over seeds; null when no seed has one.</param>
/// <param name="Claims">The predictions checked.</param>
public sealed record PresetReport(
    [property: JsonPropertyName("preset")] string Preset,
    [property: JsonPropertyName("task")] string Task,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("biased")] bool Biased,
    [property: JsonPropertyName("seeds")] IReadOnlyList<ulong> Seeds,
    [property: JsonPropertyName("folders")] IReadOnlyList<string> Folders,
    [property: JsonPropertyName("unit")] string Unit,
    [property: JsonPropertyName("wall_seconds")] MetricSpread WallSeconds,
    [property: JsonPropertyName("networks")] IReadOnlyDictionary<string, IReadOnlyDictionary<string, MetricSpread>> Networks,
    [property: JsonPropertyName("runs")] IReadOnlyDictionary<string, IReadOnlyDictionary<string, MetricSpread>> Runs,
    [property: JsonPropertyName("kl_matrix")] KlMatrixSpread? KlMatrix,
    [property: JsonPropertyName("claims")] IReadOnlyList<ClaimCheck> Claims)
{
    /// <summary>Cumulative wall time of each seed over the processes that ran it (summary.json <c>total_wall_seconds</c>),
    /// s, or its <c>wall_seconds</c> for a summary written before cumulative times existed (those seeds are listed in
    /// <see cref="FinishingProcessOnlySeeds"/>). Defaults to <see cref="WallSeconds"/> when the record is built by hand.</summary>
    [JsonPropertyName("total_wall_seconds")]
    public MetricSpread TotalWallSeconds { get; init; } = WallSeconds;

    /// <summary>Seeds whose <see cref="TotalWallSeconds"/> value is only the finishing process's wall time: their summaries
    /// predate cumulative times.</summary>
    [JsonPropertyName("wall_time_finishing_process_only")]
    public IReadOnlyList<ulong> FinishingProcessOnlySeeds { get; init; } = [];

    /// <summary>Seeds whose <see cref="TotalWallSeconds"/> value leaves out part of the training: a network resumed from a
    /// checkpoint without a time record (<see cref="NetworkSummary.TrainSecondsFromStep"/> &gt; 0).</summary>
    [JsonPropertyName("wall_time_partly_timed")]
    public IReadOnlyList<ulong> PartlyTimedSeeds { get; init; } = [];
}
