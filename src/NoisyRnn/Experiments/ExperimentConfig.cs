using System.Text.Json.Serialization;
using NoisyRnn.Models;
using NoisyRnn.Noise;

namespace NoisyRnn.Experiments;

/// <summary>
/// The whole configuration of one experiment (one job): the task, the cells, the network, training and the quiescence and
/// analysis lengths. A noise-trained and a noise-free network are trained from it with the same initial weights and batches.
/// Its JSON form (<see cref="ToJson"/>, one flat object with the snake_case names of these properties) is the config.json of
/// every run folder and the input of <c>noisyrnn reproduce --config</c>; fields missing from a JSON config keep the defaults
/// below (the <c>quick</c> preset's values). Named configurations are in <see cref="ExperimentPresets"/>.
/// </summary>
public sealed record ExperimentConfig
{
    /// <summary>Name of the configuration (a preset name, or the user's); required, non-empty.</summary>
    public required string Name { get; init; }
    /// <summary>Base seed of weights, place cells, batches, noise and analysis.</summary>
    public ulong Seed { get; init; }
    /// <summary>"spatial" (default) or "head-direction".</summary>
    public string Task { get; init; } = "spatial";
    /// <summary>"vanilla" (default, ReLU) or "gru" (tanh candidate, as the reference).</summary>
    public string Model { get; init; } = "vanilla";
    /// <summary>Nonlinearity of the cell: relu (vanilla default), tanh (the GRU's candidate), sigmoid or identity.</summary>
    public string Activation { get; init; } = "relu";
    /// <summary>Bias terms (the paper: none); which layers get one is <see cref="BiasLayout"/> for the vanilla model, every
    /// layer for the GRU.</summary>
    public bool Bias { get; init; }
    /// <summary>Layers of the vanilla network that get a bias when <see cref="Bias"/> is true (JSON <c>bias_layout</c>):
    /// <see cref="VanillaBiasLayout.RecurrentReadout"/> (default: <c>w_rec.bias</c>, <c>w_out.bias</c>) or
    /// <see cref="VanillaBiasLayout.AllLayers"/> (the reference's <c>bias: true</c>: also <c>encoder.bias</c> and <c>w_in.bias</c>).
    /// AllLayers needs bias true. The GRU ignores the field: with bias it has a bias on every layer, as the reference. Configs
    /// written before the field existed read as RecurrentReadout, the layout their networks have.</summary>
    public VanillaBiasLayout BiasLayout { get; init; }
    /// <summary>Biased trajectories: drift toward the centre (spatial) or only counter-clockwise turns (head direction).</summary>
    public bool Biased { get; init; }
    /// <summary>Head-direction cells (paper: 512).</summary>
    public int HdCells { get; init; } = 512;
    /// <summary>Angular spread of the HD cells, rad (paper: pi/6).</summary>
    public double HdSpread { get; init; } = Math.PI / 6;
    /// <summary>True for the spatial task.</summary>
    [JsonIgnore]
    public bool IsSpatial => Task == "spatial";
    /// <summary>Hidden units (paper: 512 spatial, 128 head direction); &gt; 0.</summary>
    public int HiddenSize { get; init; } = 128;
    /// <summary>Place cells of the spatial task (paper: 512); &gt;= 3.</summary>
    public int PlaceCells { get; init; } = 512;
    /// <summary>Place-cell tuning width sigma, m (paper: 0.2).</summary>
    public double PlaceCellSigma { get; init; } = 0.2;
    /// <summary>Place-cell tuning: "gaussian" (the paper: softmax of Gaussian logits) or "dog" (difference of Gaussians,
    /// Sorscher et al. 2019; <see cref="Tasks.PlaceCellTuning.DifferenceOfGaussians"/>).</summary>
    public string PlaceCellTuning { get; init; } = "gaussian";
    /// <summary>Surround scale s of DoG place cells: the surround Gaussian has variance s sigma^2 (Sorscher et al.: 2); finite and &gt; 1. Unused for gaussian.</summary>
    public double SurroundScale { get; init; } = 2.0;
    /// <summary>Trajectories per training batch, also the held-out batch and the number of quiescent chains (paper: 200).</summary>
    public int BatchSize { get; init; } = 200;
    /// <summary>Time steps per trajectory (paper: 100); &gt;= 2.</summary>
    public int SequenceLength { get; init; } = 100;
    /// <summary>Adam steps (paper: 2500 spatial, 20000 head direction).</summary>
    public int Steps { get; init; } = 1000;
    /// <summary>Adam learning rate (paper: 1e-3).</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Adam weight decay, coupled L2 as torch.optim.Adam (added to the gradient); >= 0. The paper and every published configuration use 0.</summary>
    public double WeightDecay { get; init; }
    /// <summary>Per-step recurrent noise std of the noise-trained network (paper: sqrt(1e-4)).</summary>
    public float NoiseStd { get; init; } = 0.01f;
    /// <summary>Raw draws of training and quiescent noise: Gaussian (paper) or U[0,1) (the published code).</summary>
    public NoiseDistribution NoiseDistribution { get; init; } = NoiseDistribution.StandardNormal;
    /// <summary>Integration step dt of the network, same unit as <see cref="TimeConstant"/> (paper: 0.2 spatial, 0.5 head direction); 0 &lt; dt &lt;= tau.</summary>
    public float Dt { get; init; } = 0.2f;
    /// <summary>Time constant tau of the network (paper: 1).</summary>
    public float TimeConstant { get; init; } = 1f;
    /// <summary>Held-out evaluation every this many steps (the learning curve).</summary>
    public int EvaluateEvery { get; init; } = 100;
    /// <summary>Quiescent steps whose decoded outputs form the quiescent density of the KL (paper: 1000).</summary>
    public int KlSteps { get; init; } = 1000;
    /// <summary>Quiescent steps of the variance run (paper: 2000).</summary>
    public int VarianceSteps { get; init; } = 2000;
    /// <summary>Burn-in dropped from the variance run (paper: 1000); 0 &lt;= shift &lt; <see cref="VarianceSteps"/>.</summary>
    public int VarianceShift { get; init; } = 1000;
    /// <summary>Quiescent steps of the step-distance run (paper: 100).</summary>
    public int StepDistanceSteps { get; init; } = 100;
    /// <summary>Monte Carlo samples of every KL estimate (paper: 2500).</summary>
    public int KlSamples { get; init; } = 2500;
    /// <summary>Momentum M of every quiescent run, in [0, 1) (<see cref="DynamicsModifiers.Momentum"/>; default 0: none).
    /// Quiescence only (for momentum in training see <see cref="TrainingMomentum"/>); 0 keeps the network's own.</summary>
    public double QuiescentMomentum { get; init; }
    /// <summary>Adaptation strength b of every quiescent run, finite and &gt;= 0 (<see cref="DynamicsModifiers.Adaptation"/>; default 0: none).</summary>
    public double QuiescentAdaptation { get; init; }
    /// <summary>Adaptation time constant tau_a in steps, finite and &gt;= 1 (<see cref="DynamicsModifiers.AdaptationTimeConstant"/>; default 8).</summary>
    public double QuiescentAdaptationTau { get; init; } = DynamicsModifiers.DefaultAdaptationTimeConstant;
    /// <summary>Leak dt/tau of every quiescent run, in (0, 1], or null (default) for the network's own
    /// (<see cref="DynamicsModifiers.Leak"/>).</summary>
    public double? QuiescentLeak { get; init; }

    /// <summary>The quiescence modifiers of the four fields above (<see cref="DynamicsModifiers.None"/> by default).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A field is out of range (<see cref="Validate"/> reports it as a config error first).</exception>
    [JsonIgnore]
    public DynamicsModifiers QuiescenceModifiers => new()
    {
        Momentum = QuiescentMomentum, Adaptation = QuiescentAdaptation, AdaptationTimeConstant = QuiescentAdaptationTau, Leak = QuiescentLeak,
    };

    /// <summary>Momentum M of the networks' own dynamics in training and evaluation, in [0, 1) (<see cref="RecurrentNetwork{TOptions, TTape}.Dynamics"/>,
    /// <see cref="DynamicsModifiers.Momentum"/>; default 0: the paper's cell). Both cells. Written to JSON only when not 0.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public double TrainingMomentum { get; init; }

    /// <summary>Adaptation strength b of the networks' own dynamics in training and evaluation, finite and &gt;= 0
    /// (<see cref="DynamicsModifiers.Adaptation"/>; default 0: none). Vanilla RNN and GRU. Written to JSON only when not 0.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public double TrainingAdaptation { get; init; }

    /// <summary>Adaptation time constant tau_a of <see cref="TrainingAdaptation"/> in steps, finite and &gt;= 1 (default 8).
    /// Written to JSON only when not 8.</summary>
    [JsonIgnore]
    public double TrainingAdaptationTau { get; init; } = DynamicsModifiers.DefaultAdaptationTimeConstant;

    /// <summary>The JSON form of <see cref="TrainingAdaptationTau"/>: null (omitted) at its default.</summary>
    [JsonInclude, JsonPropertyName("training_adaptation_tau"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    private double? TrainingAdaptationTauJson
    {
        get => TrainingAdaptationTau == DynamicsModifiers.DefaultAdaptationTimeConstant ? null : TrainingAdaptationTau;
        init => TrainingAdaptationTau = value ?? DynamicsModifiers.DefaultAdaptationTimeConstant;
    }

    /// <summary>The modifiers of the networks' own dynamics of the three fields above (<see cref="DynamicsModifiers.None"/> by
    /// default), applied to every network the experiment trains or loads (<see cref="RecurrentNetwork{TOptions, TTape}.Dynamics"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A field is out of range (<see cref="Validate"/> reports it as a config error first).</exception>
    [JsonIgnore]
    public DynamicsModifiers TrainingDynamics => new()
    {
        Momentum = TrainingMomentum, Adaptation = TrainingAdaptation, AdaptationTimeConstant = TrainingAdaptationTau,
    };

    /// <summary>
    /// The head-direction sizes for this preset (paper: 128 hidden units, 512 HD cells, spread pi/6, RNN dt 0.5, noise
    /// variance 1e-2 so std 0.1, 20000 steps; paper-* presets likewise). quick and config files of other names: 64 hidden
    /// units, 128 HD cells, 1500 steps; smoke: tiny. A head-direction preset or config is returned unchanged.
    /// </summary>
    /// <returns>The head-direction configuration.</returns>
    public ExperimentConfig ForHeadDirection() => Task == "head-direction" ? this : Name switch
    {
        "paper" => this with { Task = "head-direction", HiddenSize = 128, HdCells = 512, Dt = 0.5f, NoiseStd = 0.1f, Steps = 20000, EvaluateEvery = 500 },
        // The paper's spatial configurations switch to the paper's head-direction sizes (model, bias of the trajectories kept).
        _ when Name.StartsWith("paper-", StringComparison.Ordinal) =>
            this with { Task = "head-direction", HiddenSize = 128, HdCells = 512, HdSpread = Math.PI / 6, Dt = 0.5f, NoiseStd = 0.1f, Steps = 20000 },
        "smoke" => this with { Task = "head-direction", HdCells = 32, Dt = 0.5f, NoiseStd = 0.1f },
        _ => this with { Task = "head-direction", HiddenSize = 64, HdCells = 128, Dt = 0.5f, NoiseStd = 0.1f, Steps = 1500 },
    };


    /// <summary>This configuration as its JSON form (indented, snake_case fields, enums as names).</summary>
    public string ToJson() => ExperimentConfigJson.ToJson(this);

    /// <summary>Parses and validates a JSON config.</summary>
    /// <param name="json">One flat JSON object (the form of <see cref="ToJson"/>).</param>
    /// <param name="source">How to name the config in errors (for example its quoted path).</param>
    /// <returns>The validated configuration.</returns>
    /// <exception cref="InvalidDataException">Not JSON of this form: an unknown field, a wrong type, a missing name.</exception>
    /// <exception cref="ArgumentException">A field out of range; the message names it (config.hidden_size ...).</exception>
    public static ExperimentConfig FromJson(string json, string source) => ExperimentConfigJson.FromJson(json, source);

    /// <summary>Reads and validates a JSON config file (<see cref="FromJson"/>).</summary>
    /// <param name="path">The file.</param>
    /// <returns>The validated configuration.</returns>
    /// <exception cref="ArgumentException">The file does not exist, or a field is out of range.</exception>
    /// <exception cref="InvalidDataException">The file is not a config of this form.</exception>
    public static ExperimentConfig Load(string path) => ExperimentConfigJson.Load(path);

    /// <summary>Checks every field and returns this configuration.</summary>
    /// <returns>This configuration, unchanged.</returns>
    /// <exception cref="ArgumentException">The first field out of range, named in the message (config.hidden_size must be &gt; 0 ...).</exception>
    public ExperimentConfig Validate() => ExperimentConfigJson.Validate(this);
}
