using System.Text.Json;
using System.Text.Json.Serialization;
using NoisyRnn.Tasks;
using NoisyRnn.Training;

namespace NoisyRnn.Experiments;

/// <summary>
/// Where a saved network comes from: the experiment configuration that trained it (task and its options, cells, network,
/// noise distribution, training settings, seed), which of the pair it is and its training noise, and the cell layout of
/// its task (place-cell centres in m, or head-direction cells' preferred angles in rad). Written into every checkpoint
/// (<see cref="MetadataKey"/>) and model.safetensors of an experiment, so that a network alone is enough to rebuild its task,
/// held-out batch and quiescence settings (<c>noisyrnn reactivate --model M</c>).
/// </summary>
/// <param name="Network">"noise-trained" or "noise-free".</param>
/// <param name="TrainingNoiseStd">Per-step recurrent noise std the network was trained with (0 for the noise-free one).</param>
/// <param name="Config">The experiment configuration, with its seed.</param>
/// <param name="CellLayout">Place-cell centres [cells, 2] (x, y in m, row-major) for the spatial task, or the head-direction cells'
/// preferred angles [cells] in rad; a copy of what <see cref="Config"/> and its seed determine, kept so the file stands alone.</param>
public sealed record NetworkContext(
    [property: JsonPropertyName("network")] string Network,
    [property: JsonPropertyName("training_noise_std")] float TrainingNoiseStd,
    [property: JsonPropertyName("config")] ExperimentConfig Config,
    [property: JsonPropertyName("cell_layout")] float[] CellLayout)
{
    /// <summary>Checkpoint metadata key holding the context as JSON.</summary>
    public const string MetadataKey = "noisyrnn.context";

    /// <summary>The noise distribution of training and quiescence (from <see cref="Config"/>).</summary>
    [JsonIgnore]
    public Noise.NoiseDistribution NoiseDistribution => Config.NoiseDistribution;

    /// <summary>The context of a network of <paramref name="config"/> trained with <paramref name="trainingNoiseStd"/> on <paramref name="task"/>.</summary>
    /// <param name="network">The network's name.</param>
    /// <param name="trainingNoiseStd">Its per-step training noise std; finite, &gt;= 0.</param>
    /// <param name="config">The configuration.</param>
    /// <param name="task">The task built from it (its cells give <see cref="CellLayout"/>).</param>
    /// <returns>The context.</returns>
    /// <exception cref="ArgumentException">The task is neither the spatial nor the head-direction task.</exception>
    public static NetworkContext For(string network, float trainingNoiseStd, ExperimentConfig config, IPathIntegrationTask task)
    {
        ArgumentNullException.ThrowIfNull(config);
        float[] layout = task switch
        {
            SpatialNavigationTask s => s.PlaceCells.Centers.ToArray(),
            HeadDirectionTask h => h.Cells.PreferredAngles.ToArray(),
            _ => throw new ArgumentException($"task is a {task.GetType().Name}; expected the spatial or the head-direction task.", nameof(task)),
        };
        return new NetworkContext(network, trainingNoiseStd, config, layout);
    }

    /// <summary>This context as compact JSON (the value of <see cref="MetadataKey"/>).</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, Compact);

    /// <summary>The checkpoint metadata holding this context.</summary>
    /// <returns>A dictionary with the single key <see cref="MetadataKey"/>.</returns>
    public IReadOnlyDictionary<string, string> ToMetadata() => new Dictionary<string, string> { [MetadataKey] = ToJson() };

    /// <summary>The context saved in a checkpoint, or null for a checkpoint written without one (before contexts existed,
    /// or by <see cref="Checkpoint.Save"/> called directly).</summary>
    /// <param name="checkpoint">A loaded checkpoint.</param>
    /// <returns>The context or null.</returns>
    /// <exception cref="InvalidDataException">The saved context is not readable or not valid.</exception>
    public static NetworkContext? FromCheckpoint(CheckpointData checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (!checkpoint.Metadata.TryGetValue(MetadataKey, out var json)) return null;
        NetworkContext? context;
        try
        {
            context = JsonSerializer.Deserialize<NetworkContext>(json, Compact);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the checkpoint's context ({MetadataKey}) is not readable: {e.Message}", e);
        }
        if (context is null) throw new InvalidDataException($"the checkpoint's context ({MetadataKey}) is null.");
        try
        {
            context.Config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"the checkpoint's context ({MetadataKey}) holds an invalid config: {e.Message}", e);
        }
        return context;
    }

    /// <summary>
    /// The context of a checkpoint saved by an experiment: the one inside the checkpoint, or, for a checkpoint written before
    /// contexts existed, the one its run folder implies (<c>RUN/config.json</c> beside <c>RUN/&lt;network&gt;/model.nrnn</c>,
    /// the network named by its folder: noise-trained uses the config's noise_std, noise-free 0).
    /// </summary>
    /// <param name="checkpointPath">Path of the checkpoint.</param>
    /// <param name="checkpoint">The loaded checkpoint.</param>
    /// <returns>The context and where it came from ("checkpoint" or the config.json path), or null when neither exists.</returns>
    /// <exception cref="InvalidDataException">A context or config.json exists but is not valid.</exception>
    public static (NetworkContext Context, string Source)? Resolve(string checkpointPath, CheckpointData checkpoint)
    {
        if (FromCheckpoint(checkpoint) is { } saved) return (saved, "checkpoint");
        string full = Path.GetFullPath(checkpointPath);
        string networkFolder = Path.GetDirectoryName(full) ?? "";
        string network = Path.GetFileName(networkFolder);
        string configPath = Path.Combine(Path.GetDirectoryName(networkFolder) ?? "", ExperimentConfigJson.FileName);
        if (network is not ("noise-trained" or "noise-free") || !File.Exists(configPath)) return null;
        ExperimentConfig config;
        try
        {
            config = ExperimentConfig.Load(configPath);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
        var (task, _) = ExperimentSetup.CreateTask(config, config.Seed);
        return (For(network, network == "noise-trained" ? config.NoiseStd : 0f, config, task), configPath);
    }

    private static readonly JsonSerializerOptions Compact = new(ExperimentJson.Options) { WriteIndented = false };
}
