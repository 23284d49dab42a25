using System.Text.Json.Serialization;

namespace NoisyRnn.Experiments;

/// <summary>Everything an experiment writes to summary.json.</summary>
/// <param name="Preset">The configuration's name.</param>
/// <param name="Seed">The base seed.</param>
/// <param name="WallSeconds">Wall time of the call that finished the run (this process only), s; see
/// <see cref="TotalWallSeconds"/> for a run that several processes worked on.</param>
/// <param name="KlUniformToActive">KL(uniform || active) of the noise-trained network, nats.</param>
/// <param name="Isa">SIMD tier used (Vector512, Vector256, Vector128, Scalar).</param>
/// <param name="Task">"spatial" or "head-direction".</param>
/// <param name="Model">"vanilla" or "gru".</param>
/// <param name="Settings">The whole configuration.</param>
/// <param name="Networks">The two trained networks.</param>
/// <param name="Runs">The three quiescence runs.</param>
/// <param name="KlRandomNetworkToActive">KL(untrained network's quiescence || each network's active density), nats; values null when degenerate.</param>
/// <param name="KlRandomNetworkNote">Why the random-network KL is missing, or null.</param>
/// <param name="KlMatrix">The KL matrix of every quiescent source against every active distribution.</param>
public sealed record ExperimentSummary(
    [property: JsonPropertyName("preset")] string Preset,
    [property: JsonPropertyName("seed")] ulong Seed,
    [property: JsonPropertyName("wall_seconds")] double WallSeconds,
    [property: JsonPropertyName("kl_uniform_to_active")] double KlUniformToActive,
    [property: JsonPropertyName("isa")] string Isa,
    [property: JsonPropertyName("task")] string Task,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("settings")] ExperimentConfig Settings,
    [property: JsonPropertyName("networks")] IReadOnlyList<NetworkSummary> Networks,
    [property: JsonPropertyName("runs")] IReadOnlyList<QuiescenceRunSummary> Runs,
    [property: JsonPropertyName("kl_random_network_to_active")] IReadOnlyDictionary<string, double?>? KlRandomNetworkToActive = null,
    [property: JsonPropertyName("kl_random_network_note")] string? KlRandomNetworkNote = null,
    [property: JsonPropertyName("kl_matrix")] KlMatrix? KlMatrix = null)
{
    /// <summary>Version of the NoisyRnn library that wrote the summary (its informational version, without the commit).</summary>
    [JsonPropertyName("library_version")]
    public string LibraryVersion { get; init; } = BuildInfo.Version;

    /// <summary>Source commit of that library build ("unknown" when it was built outside git).</summary>
    [JsonPropertyName("library_commit")]
    public string LibraryCommit { get; init; } = BuildInfo.Commit;

    /// <summary>The estimator of every decoded density and KL ("gaussian_kde", or "von_mises_kde" for headings in paper mode).</summary>
    [JsonPropertyName("density_estimator")]
    public string? DensityEstimator { get; init; }

    /// <summary>Quiescent steps per chain at which the decoded and hidden-state KLs are taken (the KL window); the variance uses
    /// <see cref="ExperimentConfig.VarianceSteps"/> after a burn-in of <see cref="ExperimentConfig.VarianceShift"/>.</summary>
    [JsonPropertyName("kl_steps")]
    public int? KlSteps { get; init; }

    /// <summary>
    /// Cumulative wall time of the job, s: <see cref="WallSeconds"/> (this process) plus the training time that earlier
    /// processes recorded in the checkpoints this one continued from (for a network trained earlier and only loaded here,
    /// its whole <see cref="NetworkSummary.TrainSeconds"/>). Equal to WallSeconds for a job done in one process. A lower
    /// bound of the time spent: an interrupted process's work after its last checkpoint and its analysis are not counted,
    /// and neither is training before a network's <see cref="NetworkSummary.TrainSecondsFromStep"/>. Null in summaries
    /// written before it existed.
    /// </summary>
    [JsonPropertyName("total_wall_seconds")]
    public double? TotalWallSeconds { get; init; }

    /// <summary>Reads a summary.json written by an experiment.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The summary.</returns>
    /// <exception cref="InvalidDataException">The file is not a summary of this form.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ExperimentSummary Load(string path)
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<ExperimentSummary>(File.ReadAllText(path), ExperimentJson.Options)
                ?? throw new InvalidDataException($"{path}: expected a JSON object, got null.");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidDataException($"{path} is not an experiment summary: {e.Message}", e);
        }
    }

    /// <summary>This summary as indented JSON (the form of summary.json).</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => System.Text.Json.JsonSerializer.Serialize(this, ExperimentJson.Options);
}
