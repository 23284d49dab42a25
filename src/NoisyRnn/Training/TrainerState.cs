using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NoisyRnn.Training;

/// <summary>
/// The part of a <see cref="PathIntegrationTrainer"/> run that lives beside the weights in its checkpoints: the held-out
/// evaluations so far, the last training loss and the cumulative training wall time, so that a resumed run returns the
/// whole learning curve and the time spent on it in every process.
/// </summary>
internal static class TrainerState
{
    private const string EvaluationsKey = PathIntegrationTrainer.TrainerMetadataPrefix + "evaluations";
    private const string LossKey = PathIntegrationTrainer.TrainerMetadataPrefix + "loss";
    /// <summary>Metadata key of the cumulative training seconds.</summary>
    public const string SecondsKey = PathIntegrationTrainer.TrainerMetadataPrefix + "train_seconds";

    /// <summary>Metadata key of the step those seconds count from.</summary>
    public const string TimedFromStepKey = PathIntegrationTrainer.TrainerMetadataPrefix + "timed_from_step";

    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>What a checkpoint holds of a run: evaluations up to its step, the last loss, and the training wall time
    /// (seconds spent training steps TimedFromStep + 1 to the checkpoint's step, summed over the processes that trained them).</summary>
    public readonly record struct Saved(List<TaskEvaluation> Evaluations, double Loss, double TrainingSeconds, int TimedFromStep);

    /// <summary>The caller's metadata plus the trainer's state (evaluations as [step, loss, error, mse] rows, the last loss,
    /// the cumulative training seconds and the step they count from).</summary>
    public static Dictionary<string, string> Write(IReadOnlyDictionary<string, string>? metadata, IReadOnlyList<TaskEvaluation> evaluations, double loss,
        double trainingSeconds, int timedFromStep)
    {
        var result = metadata is null ? new Dictionary<string, string>() : metadata.ToDictionary(kv => kv.Key, kv => kv.Value);
        var rows = evaluations.Select(e => new[] { e.Step, e.Loss, e.DecodingError, e.DecodingMse }).ToArray();
        result[EvaluationsKey] = JsonSerializer.Serialize(rows, Json);
        result[LossKey] = loss.ToString("R", CultureInfo.InvariantCulture);
        result[SecondsKey] = trainingSeconds.ToString("R", CultureInfo.InvariantCulture);
        result[TimedFromStepKey] = timedFromStep.ToString(CultureInfo.InvariantCulture);
        return result;
    }

    /// <summary>The state saved in a checkpoint at <paramref name="step"/>. A checkpoint written without it (older files, or
    /// <see cref="Checkpoint.Save"/> called directly) has no evaluations and a NaN loss; one without a time record (written
    /// before the trainer kept one) has 0 seconds counted from <paramref name="step"/>: its earlier time is unknown.</summary>
    /// <exception cref="InvalidDataException">The saved state is not readable, or its time is negative, non-finite or counted
    /// from a step outside [0, step].</exception>
    public static Saved Read(IReadOnlyDictionary<string, string> metadata, int step)
    {
        var evaluations = new List<TaskEvaluation>();
        double loss = double.NaN, seconds = 0;
        int timedFrom = step;
        try
        {
            if (metadata.TryGetValue(EvaluationsKey, out var json))
                foreach (var row in JsonSerializer.Deserialize<double[][]>(json, Json) ?? [])
                {
                    if (row.Length != 4) throw new InvalidDataException($"checkpoint metadata {EvaluationsKey}: a row has {row.Length} values; expected 4.");
                    if (row[0] <= step) evaluations.Add(new TaskEvaluation((int)row[0], row[1], row[2], row[3]));
                }
            if (metadata.TryGetValue(LossKey, out var text)) loss = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            if (metadata.TryGetValue(SecondsKey, out var secondsText))
            {
                seconds = double.Parse(secondsText, NumberStyles.Float, CultureInfo.InvariantCulture);
                timedFrom = metadata.TryGetValue(TimedFromStepKey, out var fromText) ? int.Parse(fromText, NumberStyles.Integer, CultureInfo.InvariantCulture) : 0;
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or OverflowException)
        {
            throw new InvalidDataException($"checkpoint metadata of the trainer is not readable: {e.Message}", e);
        }
        if (!double.IsFinite(seconds) || seconds < 0 || timedFrom < 0 || timedFrom > step)
            throw new InvalidDataException($"checkpoint metadata {SecondsKey} = {seconds} from step {timedFrom}; expected finite seconds >= 0 counted from a step in [0, {step}].");
        return new Saved(evaluations, loss, seconds, timedFrom);
    }
}
