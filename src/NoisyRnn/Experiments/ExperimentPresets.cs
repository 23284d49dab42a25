namespace NoisyRnn.Experiments;

/// <summary>
/// The named configurations of <c>noisyrnn reproduce --preset</c>: <c>quick</c> (the default), <c>paper</c>, <c>smoke</c> and
/// the six configurations of the paper (<see cref="PaperAll"/>), which cover its ten trained networks (Krishna et al. 2024,
/// Sec. 4 and the published configs/train).
/// </summary>
public static class ExperimentPresets
{
    /// <summary>Small default that shows the paper's contrasts on a 2-core machine in a few minutes.</summary>
    public static ExperimentConfig Quick { get; } = new() { Name = "quick" };

    /// <summary>The paper's spatial configuration (512 hidden units, 2500 steps): tens of minutes on 2 cores.</summary>
    public static ExperimentConfig Paper { get; } = new() { Name = "paper", HiddenSize = 512, Steps = 2500 };

    /// <summary>A seconds-long smoke run for tests: too short to learn, exercises every stage.</summary>
    public static ExperimentConfig Smoke { get; } = new()
    {
        Name = "smoke", HiddenSize = 16, PlaceCells = 32, BatchSize = 16, SequenceLength = 20, Steps = 4, EvaluateEvery = 2,
        KlSteps = 40, VarianceSteps = 60, VarianceShift = 20, StepDistanceSteps = 20, KlSamples = 200,
    };

    // The paper's ten training configurations (the published configs/train): each preset below trains one noisy and one
    // noise-free network, so six presets cover all ten (the noise-free GRU networks are extra; the published code trains no
    // noise-free GRU). Spatial: vanilla ReLU, 512 hidden, 512 place cells sigma 0.2 m, batch 200 x 100 steps, dt 0.2, tau 1,
    // recurrent noise variance 1e-4 (std 0.01), Adam lr 1e-3, no weight decay, 2500 steps, evaluation every 100 steps.
    private static readonly ExperimentConfig PaperSpatial = Paper with { Name = "paper-spatial-unbiased", EvaluateEvery = 100 };

    // Head direction: 128 hidden, 512 HD cells spread pi/6, dt 0.5, noise variance 1e-2 (std 0.1), 20000 steps.
    private static readonly ExperimentConfig PaperHeadDirection = PaperSpatial with
    {
        Name = "paper-hd-unbiased", Task = "head-direction", HiddenSize = 128, HdCells = 512, HdSpread = Math.PI / 6, Dt = 0.5f, NoiseStd = 0.1f, Steps = 20000,
    };

    /// <summary>Every preset, in the order <c>noisyrnn presets</c> lists them.</summary>
    public static IReadOnlyList<ExperimentConfig> All { get; } =
    [
        Quick, Paper, Smoke,
        PaperSpatial,
        PaperSpatial with { Name = "paper-spatial-biased", Biased = true },
        PaperSpatial with { Name = "paper-spatial-gru-unbiased", Model = "gru", Activation = "tanh" },
        PaperSpatial with { Name = "paper-spatial-gru-biased", Model = "gru", Activation = "tanh", Biased = true },
        PaperHeadDirection,
        PaperHeadDirection with { Name = "paper-hd-biased", Biased = true },
    ];

    /// <summary>One line per preset name, for <c>noisyrnn presets</c> and <c>reproduce --list-presets</c>.</summary>
    public static IReadOnlyDictionary<string, string> Descriptions { get; } = new Dictionary<string, string>
    {
        ["quick"] = "default: spatial, vanilla, 128 hidden, 1000 steps; minutes on 2 cores",
        ["paper"] = "spatial, vanilla, 512 hidden, 2500 steps (the paper-spatial-unbiased settings)",
        ["smoke"] = "seconds-long run for tests: too short to learn",
        ["paper-spatial-unbiased"] = "paper: spatial noisy + noise-free, unbiased, vanilla 512 ReLU, 2500 steps",
        ["paper-spatial-biased"] = "paper: spatial noisy + noise-free, biased toward the centre, vanilla 512 ReLU, 2500 steps",
        ["paper-spatial-gru-unbiased"] = "paper: spatial GRU (tanh) noisy, unbiased (+ a noise-free GRU), 2500 steps",
        ["paper-spatial-gru-biased"] = "paper: spatial GRU (tanh) noisy, biased (+ a noise-free GRU), 2500 steps",
        ["paper-hd-unbiased"] = "paper: head direction noisy + noise-free, unbiased, 128 hidden, 512 HD cells, 20000 steps",
        ["paper-hd-biased"] = "paper: head direction noisy + noise-free, counter-clockwise only, 128 hidden, 20000 steps",
    };

    /// <summary>The six presets of the paper's configurations (<c>paper-all</c>), in job order: spatial unbiased and biased,
    /// spatial GRU unbiased and biased, head direction unbiased and biased.</summary>
    public static IReadOnlyList<string> PaperAll { get; } =
        ["paper-spatial-unbiased", "paper-spatial-biased", "paper-spatial-gru-unbiased", "paper-spatial-gru-biased", "paper-hd-unbiased", "paper-hd-biased"];

    /// <summary>Name of the preset group that stands for the six <see cref="PaperAll"/> presets.</summary>
    public const string PaperAllName = "paper-all";

    /// <summary>The preset of that name (case-insensitive).</summary>
    /// <param name="name">A preset name (see <see cref="All"/>).</param>
    /// <returns>The preset.</returns>
    /// <exception cref="ArgumentException">No preset has that name; the message lists them and suggests the nearest.</exception>
    public static ExperimentConfig Find(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown preset '{name}'{Suggest.DidYouMean(name, All.Select(p => p.Name).Append(PaperAllName))}; expected one of: {string.Join(", ", All.Select(p => p.Name))}.", nameof(name));
}
