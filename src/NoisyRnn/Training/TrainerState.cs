using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NoisyRnn.Training;

/// <summary>
/// The part of a <see cref="PathIntegrationTrainer"/> run that lives beside the weights in its checkpoints: the held-out
/// evaluations so far and the last training loss, so that a resumed run returns the whole learning curve.
/// </summary>
internal static class TrainerState
{
    private const string EvaluationsKey = PathIntegrationTrainer.TrainerMetadataPrefix + "evaluations";
    private const string LossKey = PathIntegrationTrainer.TrainerMetadataPrefix + "loss";

    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>The caller's metadata plus the trainer's state (evaluations as [step, loss, error, mse] rows).</summary>
    public static Dictionary<string, string> Write(IReadOnlyDictionary<string, string>? metadata, IReadOnlyList<TaskEvaluation> evaluations, double loss)
    {
        var result = metadata is null ? new Dictionary<string, string>() : metadata.ToDictionary(kv => kv.Key, kv => kv.Value);
        var rows = evaluations.Select(e => new[] { e.Step, e.Loss, e.DecodingError, e.DecodingMse }).ToArray();
        result[EvaluationsKey] = JsonSerializer.Serialize(rows, Json);
        result[LossKey] = loss.ToString("R", CultureInfo.InvariantCulture);
        return result;
    }

    /// <summary>The evaluations up to <paramref name="step"/> and the last loss saved in a checkpoint's metadata; none and
    /// NaN for a checkpoint written without them (older files, or <see cref="Checkpoint.Save"/> called directly).</summary>
    /// <exception cref="InvalidDataException">The saved state is not readable.</exception>
    public static (List<TaskEvaluation> Evaluations, double Loss) Read(IReadOnlyDictionary<string, string> metadata, int step)
    {
        var evaluations = new List<TaskEvaluation>();
        double loss = double.NaN;
        try
        {
            if (metadata.TryGetValue(EvaluationsKey, out var json))
                foreach (var row in JsonSerializer.Deserialize<double[][]>(json, Json) ?? [])
                {
                    if (row.Length != 4) throw new InvalidDataException($"checkpoint metadata {EvaluationsKey}: a row has {row.Length} values; expected 4.");
                    if (row[0] <= step) evaluations.Add(new TaskEvaluation((int)row[0], row[1], row[2], row[3]));
                }
            if (metadata.TryGetValue(LossKey, out var text)) loss = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new InvalidDataException($"checkpoint metadata of the trainer is not readable: {e.Message}", e);
        }
        return (evaluations, loss);
    }
}
