using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NoisyRnn.Experiments;

/// <summary>
/// Reading, writing and checking the JSON config of a `reproduce` run: one flat object whose fields are the snake_case
/// names of <see cref="ExperimentConfig"/>'s properties (name, seed, task, model, activation, bias, biased, hd_cells, ...).
/// Unknown fields and values of the wrong type are errors naming the field; missing fields keep the quick preset's values.
/// </summary>
internal static class ExperimentConfigJson
{
    /// <summary>File name of the config in every run folder, next to summary.json.</summary>
    public const string FileName = "config.json";

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter() },
    };

    private static readonly string[] Tasks = ["spatial", "head-direction"];
    private static readonly string[] Models = ["vanilla", "gru"];
    private static readonly string[] Activations = ["relu", "tanh", "sigmoid", "identity"];
    private static readonly string[] Tunings = ["gaussian", "dog"];

    public static string ToJson(ExperimentConfig p) => JsonSerializer.Serialize(p, JsonOptions);

    /// <summary>Parses and validates a config; <paramref name="source"/> names it in errors.</summary>
    public static ExperimentConfig FromJson(string json, string source)
    {
        ExperimentConfig? p;
        try
        {
            p = JsonSerializer.Deserialize<ExperimentConfig>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"config {source}: {Describe(e)}", e);
        }
        if (p is null) throw new InvalidDataException($"config {source}: expected a JSON object, got null.");
        try
        {
            return Validate(p);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"config {source}: {e.Message}", e);
        }
    }

    public static ExperimentConfig Load(string path)
    {
        if (!File.Exists(path)) throw new ArgumentException($"--config '{path}' does not exist; expected a JSON config file.", "--config");
        return FromJson(File.ReadAllText(path), $"'{path}'");
    }

    /// <summary>The field a JsonException is about (config.hidden_size) and what went wrong.</summary>
    private static string Describe(JsonException e)
    {
        string message = e.Message;
        // "The JSON property 'x' could not be mapped to any .NET member contained in type '...'."
        const string unmapped = "The JSON property '";
        if (message.StartsWith(unmapped, StringComparison.Ordinal))
        {
            int end = message.IndexOf('\'', unmapped.Length);
            if (end > 0) return $"unknown field config.{message[unmapped.Length..end]}; expected only the fields of `reproduce --write-config`.";
        }
        string field = e.Path is { Length: > 1 } path ? "config" + path[1..] : "config";
        if (message.Contains("missing required properties", StringComparison.Ordinal)) return "config.name is missing; expected a run name.";
        if (message.Contains("could not be converted", StringComparison.Ordinal))
            return $"{field} has the wrong type (line {e.LineNumber + 1}); expected {ExpectedType(e.Path)}.";
        // The parser may quote the rest of its buffer ("'t,x,y 0,0,0 ...' is an invalid JSON literal"): keep the line short.
        string detail = message.Split(" Path:")[0];
        if (detail.Length > 160) detail = detail[..160] + "...";
        return $"{field}: invalid JSON (line {e.LineNumber + 1}): {detail}";
    }

    private static string ExpectedType(string? path)
    {
        string name = path is { Length: > 2 } p ? p[2..] : "";
        var property = typeof(ExperimentConfig).GetProperties()
            .FirstOrDefault(x => JsonNamingPolicy.SnakeCaseLower.ConvertName(x.Name) == name);
        if (property is null) return "a JSON object";
        var t = property.PropertyType;
        return t == typeof(string) ? "a string"
            : t == typeof(bool) ? "true or false"
            : t == typeof(int) || t == typeof(ulong) ? "an integer"
            : t.IsEnum ? "one of " + string.Join(", ", Enum.GetNames(t))
            : "a number";
    }

    /// <summary>The first field in which two configs differ, as "config.seed is 0 there, 5 here", or null when equal.</summary>
    public static string? FirstDifference(ExperimentConfig there, ExperimentConfig here)
    {
        using var a = JsonDocument.Parse(ToJson(there));
        using var b = JsonDocument.Parse(ToJson(here));
        foreach (var field in a.RootElement.EnumerateObject())
        {
            string other = b.RootElement.TryGetProperty(field.Name, out var value) ? value.GetRawText() : "missing";
            if (field.Value.GetRawText() != other) return $"config.{field.Name} is {field.Value.GetRawText()} there, {other} here";
        }
        // Fields written only when set (training_*): one set here only.
        foreach (var field in b.RootElement.EnumerateObject())
        {
            if (!a.RootElement.TryGetProperty(field.Name, out _)) return $"config.{field.Name} is missing (its default) there, {field.Value.GetRawText()} here";
        }
        return null;
    }

    /// <summary>Checks every field; throws an ArgumentException naming the first bad one (config.hidden_size ...).</summary>
    public static ExperimentConfig Validate(ExperimentConfig p)
    {
        if (string.IsNullOrWhiteSpace(p.Name)) Fail("name", "must be a non-empty string", p.Name);
        OneOf("task", p.Task, Tasks);
        OneOf("model", p.Model, Models);
        OneOf("activation", p.Activation, Activations);
        if (!Enum.IsDefined(p.NoiseDistribution)) Fail("noise_distribution", "must be StandardNormal or Uniform01", p.NoiseDistribution);
        if (!Enum.IsDefined(p.BiasLayout)) Fail("bias_layout", "must be RecurrentReadout or AllLayers", p.BiasLayout);
        if (p.BiasLayout == NoisyRnn.Models.VanillaBiasLayout.AllLayers && !p.Bias)
            Fail("bias_layout", "AllLayers places biases, so it needs \"bias\": true", p.BiasLayout);
        Positive("hidden_size", p.HiddenSize);
        if (p.IsSpatial)
        {
            if (p.PlaceCells < 3) Fail("place_cells", "must be at least 3 (positions are decoded from the top 3 cells)", p.PlaceCells);
            // PlaceCells needs 2 sigma^2 a normal float64; checked here so that the surround scale is not blamed for it.
            if (!(p.PlaceCellSigma > 0) || !double.IsFinite(p.PlaceCellSigma) || !double.IsNormal(2 * p.PlaceCellSigma * p.PlaceCellSigma))
                Fail("place_cell_sigma", "must be finite and > 0, with 2 sigma^2 a normal float64 (about 1e-154 to 1e154 m; paper: 0.2)", p.PlaceCellSigma);
            OneOf("place_cell_tuning", p.PlaceCellTuning, Tunings);
            if (!(p.SurroundScale > 1) || !double.IsFinite(p.SurroundScale) || !double.IsNormal(2 * p.SurroundScale * p.PlaceCellSigma * p.PlaceCellSigma))
                Fail("surround_scale", "must be finite and > 1 (the surround Gaussian is wider than the centre; Sorscher et al.: 2)", p.SurroundScale);
        }
        else
        {
            if (p.HdCells < 3) Fail("hd_cells", "must be at least 3", p.HdCells);
            if (!(p.HdSpread > 0) || !double.IsFinite(p.HdSpread)) Fail("hd_spread", "must be finite and > 0", p.HdSpread);
        }
        Positive("batch_size", p.BatchSize);
        // The step-distance metrics compare consecutive states, so a trajectory needs two steps.
        if (p.SequenceLength < 2) Fail("sequence_length", "must be at least 2 (the step distances compare consecutive steps)", p.SequenceLength);
        Positive("steps", p.Steps);
        if (!(p.LearningRate > 0) || !double.IsFinite(p.LearningRate)) Fail("learning_rate", "must be finite and > 0", p.LearningRate);
        if (!(p.WeightDecay >= 0) || !double.IsFinite(p.WeightDecay)) Fail("weight_decay", "must be finite and >= 0 (coupled L2 as torch.optim.Adam; the paper uses 0)", p.WeightDecay);
        if (!(p.NoiseStd >= 0) || !float.IsFinite(p.NoiseStd)) Fail("noise_std", "must be finite and >= 0", p.NoiseStd);
        if (!(p.Dt > 0) || !float.IsFinite(p.Dt)) Fail("dt", "must be finite and > 0", p.Dt);
        if (!(p.TimeConstant > 0) || !float.IsFinite(p.TimeConstant)) Fail("time_constant", "must be finite and > 0", p.TimeConstant);
        if (p.Dt > p.TimeConstant) Fail("dt", $"must be <= time_constant ({p.TimeConstant.ToString(CultureInfo.InvariantCulture)})", p.Dt);
        Positive("evaluate_every", p.EvaluateEvery);
        Positive("kl_steps", p.KlSteps);
        Positive("variance_steps", p.VarianceSteps);
        if (p.VarianceShift < 0 || p.VarianceShift >= p.VarianceSteps) Fail("variance_shift", "must be >= 0 and < variance_steps", p.VarianceShift);
        Positive("step_distance_steps", p.StepDistanceSteps);
        Positive("kl_samples", p.KlSamples);
        if (!(p.QuiescentMomentum >= 0 && p.QuiescentMomentum < 1)) Fail("quiescent_momentum", "must be in [0, 1) (the fraction of velocity kept per quiescent step; 0 = none)", p.QuiescentMomentum);
        if (!(p.QuiescentAdaptation >= 0) || !double.IsFinite(p.QuiescentAdaptation)) Fail("quiescent_adaptation", "must be finite and >= 0 (the adaptation strength b; 0 = none)", p.QuiescentAdaptation);
        if (!(p.QuiescentAdaptationTau >= 1) || !double.IsFinite(p.QuiescentAdaptationTau)) Fail("quiescent_adaptation_tau", "must be finite and >= 1 (steps)", p.QuiescentAdaptationTau);
        if (p.QuiescentLeak is { } leak && !(leak > 0 && leak <= 1)) Fail("quiescent_leak", "must be in (0, 1] (the quiescent dt/tau) or null for the network's own", leak);
        if (!(p.TrainingMomentum >= 0 && p.TrainingMomentum < 1)) Fail("training_momentum", "must be in [0, 1) (the fraction of velocity kept per step in training; 0 = none)", p.TrainingMomentum);
        if (!(p.TrainingAdaptation >= 0) || !double.IsFinite(p.TrainingAdaptation)) Fail("training_adaptation", "must be finite and >= 0 (the adaptation strength b in training; 0 = none)", p.TrainingAdaptation);
        if (!(p.TrainingAdaptationTau >= 1) || !double.IsFinite(p.TrainingAdaptationTau)) Fail("training_adaptation_tau", "must be finite and >= 1 (steps)", p.TrainingAdaptationTau);
        return p;
    }

    private static void Positive(string field, int value)
    {
        if (value <= 0) Fail(field, "must be > 0", value);
    }

    private static void OneOf(string field, string? value, string[] allowed)
    {
        if (value is null || !allowed.Contains(value, StringComparer.Ordinal)) Fail(field, "must be one of " + string.Join(", ", allowed), value ?? "null");
    }

    private static void Fail(string field, string rule, object? value) =>
        throw new ArgumentException($"config.{field} {rule}; got {Convert.ToString(value, CultureInfo.InvariantCulture)}.");
}
