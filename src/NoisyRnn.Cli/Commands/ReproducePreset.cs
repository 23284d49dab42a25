namespace NoisyRnn.Cli.Commands;

/// <summary>
/// The whole configuration of a `reproduce` run: a named preset, or a config file (`--config FILE`, the snake_case JSON of
/// this record, see <see cref="ReproduceConfig"/>). Every run writes it as config.json. Fields missing from a config file
/// keep the defaults below (the quick preset's values).
/// </summary>
internal sealed record ReproducePreset
{
    public required string Name { get; init; }
    /// <summary>Base seed of weights, place cells, batches, noise and analysis.</summary>
    public ulong Seed { get; init; }
    /// <summary>"spatial" (default) or "head-direction".</summary>
    public string Task { get; init; } = "spatial";
    /// <summary>"vanilla" (default, ReLU) or "gru" (tanh candidate, as the reference).</summary>
    public string Model { get; init; } = "vanilla";
    /// <summary>Nonlinearity of the cell: relu (vanilla default), tanh (the GRU's candidate), sigmoid or identity.</summary>
    public string Activation { get; init; } = "relu";
    /// <summary>Bias terms in the recurrent and output layers (the paper: none).</summary>
    public bool Bias { get; init; }
    /// <summary>Biased trajectories: drift toward the centre (spatial) or only counter-clockwise turns (head direction).</summary>
    public bool Biased { get; init; }
    /// <summary>Head-direction cells (paper: 512).</summary>
    public int HdCells { get; init; } = 512;
    /// <summary>Angular spread of the HD cells, rad (paper: pi/6).</summary>
    public double HdSpread { get; init; } = Math.PI / 6;
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsSpatial => Task == "spatial";
    public int HiddenSize { get; init; } = 128;
    public int PlaceCells { get; init; } = 512;
    public double PlaceCellSigma { get; init; } = 0.2;
    /// <summary>Place-cell tuning: "gaussian" (the paper: softmax of Gaussian logits) or "dog" (difference of Gaussians,
    /// Sorscher et al. 2019; <see cref="NoisyRnn.Tasks.PlaceCellTuning.DifferenceOfGaussians"/>).</summary>
    public string PlaceCellTuning { get; init; } = "gaussian";
    /// <summary>Surround scale s of DoG place cells: the surround Gaussian has variance s sigma^2 (Sorscher et al.: 2); finite and &gt; 1. Unused for gaussian.</summary>
    public double SurroundScale { get; init; } = 2.0;
    public int BatchSize { get; init; } = 200;
    public int SequenceLength { get; init; } = 100;
    public int Steps { get; init; } = 1000;
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Adam weight decay, coupled L2 as torch.optim.Adam (added to the gradient); >= 0. The paper and every published configuration use 0.</summary>
    public double WeightDecay { get; init; }
    /// <summary>Per-step recurrent noise std of the noise-trained network (paper: sqrt(1e-4)).</summary>
    public float NoiseStd { get; init; } = 0.01f;
    /// <summary>Raw draws of training and quiescent noise: Gaussian (paper) or U[0,1) (the published code).</summary>
    public NoisyRnn.Noise.NoiseDistribution NoiseDistribution { get; init; } = NoisyRnn.Noise.NoiseDistribution.StandardNormal;
    public float Dt { get; init; } = 0.2f;
    public float TimeConstant { get; init; } = 1f;
    public int EvaluateEvery { get; init; } = 100;
    public int KlSteps { get; init; } = 1000;
    public int VarianceSteps { get; init; } = 2000;
    public int VarianceShift { get; init; } = 1000;
    public int StepDistanceSteps { get; init; } = 100;
    public int KlSamples { get; init; } = 2500;

    /// <summary>Small default that shows the paper's contrasts on a 2-core machine in a few minutes.</summary>
    public static ReproducePreset Quick { get; } = new() { Name = "quick" };

    /// <summary>The paper's spatial configuration (512 hidden units, 2500 steps): tens of minutes on 2 cores.</summary>
    public static ReproducePreset Paper { get; } = new() { Name = "paper", HiddenSize = 512, Steps = 2500 };

    /// <summary>A seconds-long smoke run for tests: too short to learn, exercises every stage.</summary>
    public static ReproducePreset Smoke { get; } = new()
    {
        Name = "smoke", HiddenSize = 16, PlaceCells = 32, BatchSize = 16, SequenceLength = 20, Steps = 4, EvaluateEvery = 2,
        KlSteps = 40, VarianceSteps = 60, VarianceShift = 20, StepDistanceSteps = 20, KlSamples = 200,
    };

    /// <summary>
    /// The head-direction sizes for this preset (paper: 128 hidden units, 512 HD cells, spread pi/6, RNN dt 0.5, noise
    /// variance 1e-2 so std 0.1, 20000 steps; paper-* presets likewise). quick and config files of other names: 64 hidden
    /// units, 128 HD cells, 1500 steps; smoke: tiny. A head-direction preset or config is returned unchanged.
    /// </summary>
    public ReproducePreset ForHeadDirection() => Task == "head-direction" ? this : Name switch
    {
        "paper" => this with { Task = "head-direction", HiddenSize = 128, HdCells = 512, Dt = 0.5f, NoiseStd = 0.1f, Steps = 20000, EvaluateEvery = 500 },
        // The paper's spatial configurations switch to the paper's head-direction sizes (model, bias of the trajectories kept).
        _ when Name.StartsWith("paper-", StringComparison.Ordinal) =>
            this with { Task = "head-direction", HiddenSize = 128, HdCells = 512, HdSpread = Math.PI / 6, Dt = 0.5f, NoiseStd = 0.1f, Steps = 20000 },
        "smoke" => this with { Task = "head-direction", HdCells = 32, Dt = 0.5f, NoiseStd = 0.1f },
        _ => this with { Task = "head-direction", HiddenSize = 64, HdCells = 128, Dt = 0.5f, NoiseStd = 0.1f, Steps = 1500 },
    };

    // The paper's ten training configurations (the published configs/train): each preset below trains one noisy and one
    // noise-free network, so six presets cover all ten (the noise-free GRU networks are extra; the published code trains no
    // noise-free GRU). Spatial: vanilla ReLU, 512 hidden, 512 place cells sigma 0.2 m, batch 200 x 100 steps, dt 0.2, tau 1,
    // recurrent noise variance 1e-4 (std 0.01), Adam lr 1e-3, no weight decay, 2500 steps, evaluation every 100 steps.
    private static readonly ReproducePreset PaperSpatial = Paper with { Name = "paper-spatial-unbiased", EvaluateEvery = 100 };

    // Head direction: 128 hidden, 512 HD cells spread pi/6, dt 0.5, noise variance 1e-2 (std 0.1), 20000 steps.
    private static readonly ReproducePreset PaperHeadDirection = PaperSpatial with
    {
        Name = "paper-hd-unbiased", Task = "head-direction", HiddenSize = 128, HdCells = 512, HdSpread = Math.PI / 6, Dt = 0.5f, NoiseStd = 0.1f, Steps = 20000,
    };

    public static IReadOnlyList<ReproducePreset> All { get; } =
    [
        Quick, Paper, Smoke,
        PaperSpatial,
        PaperSpatial with { Name = "paper-spatial-biased", Biased = true },
        PaperSpatial with { Name = "paper-spatial-gru-unbiased", Model = "gru", Activation = "tanh" },
        PaperSpatial with { Name = "paper-spatial-gru-biased", Model = "gru", Activation = "tanh", Biased = true },
        PaperHeadDirection,
        PaperHeadDirection with { Name = "paper-hd-biased", Biased = true },
    ];

    /// <summary>One line per preset for `noisyrnn presets` and `reproduce --list-presets`.</summary>
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

    public static ReproducePreset Find(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown preset '{name}'; expected one of: {string.Join(", ", All.Select(p => p.Name))}.", nameof(name));
}
