using System.Text.Json.Serialization;
using NoisyRnn.Analysis;
using NoisyRnn.Training;

namespace NoisyRnn.Experiments;

/// <summary>One trained network of an experiment, as written to summary.json (<c>networks[]</c>).</summary>
/// <param name="Name">"noise-trained" or "noise-free".</param>
/// <param name="NoiseStd">Per-step recurrent noise std it was trained with.</param>
/// <param name="Steps">Adam steps of its training.</param>
/// <param name="TrainSeconds">Wall time of the training call that finished it, s (only this process's part of a resumed run).</param>
/// <param name="FinalTrainLoss">Training loss of the last step.</param>
/// <param name="TestLoss">Held-out MSE at the last evaluation.</param>
/// <param name="PositionErrorM">Spatial task: mean top-3 decoding error, m; null for head direction.</param>
/// <param name="PositionMseM2">Spatial task: mean squared decoding error per coordinate, m^2; null for head direction.</param>
/// <param name="KlUniformToActive">KL(uniform over the arena or circle || active decoded density), nats.</param>
/// <param name="Weights">Path of its checkpoint relative to the run folder.</param>
/// <param name="Evaluations">The learning curve: every held-out evaluation, in step order (including those before a resume).</param>
/// <param name="DecodingError">Mean decoding error at the last evaluation, in <paramref name="DecodingUnit"/>.</param>
/// <param name="DecodingMse">Mean squared decoding error at the last evaluation, unit squared.</param>
/// <param name="DecodingUnit">"m" (spatial) or "rad" (head direction).</param>
public sealed record NetworkSummary(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("noise_std")] float NoiseStd,
    [property: JsonPropertyName("steps")] int Steps,
    [property: JsonPropertyName("train_seconds")] double TrainSeconds,
    [property: JsonPropertyName("final_train_loss")] double FinalTrainLoss,
    [property: JsonPropertyName("test_loss")] double TestLoss,
    [property: JsonPropertyName("position_error_m")] double? PositionErrorM,
    [property: JsonPropertyName("position_mse_m2")] double? PositionMseM2,
    [property: JsonPropertyName("kl_uniform_to_active")] double KlUniformToActive,
    [property: JsonPropertyName("weights")] string Weights,
    [property: JsonPropertyName("evaluations")] IReadOnlyList<TaskEvaluation> Evaluations,
    [property: JsonPropertyName("decoding_error")] double DecodingError,
    [property: JsonPropertyName("decoding_mse")] double DecodingMse,
    [property: JsonPropertyName("decoding_unit")] string DecodingUnit)
{
    /// <summary>The network's denoising gain at the noise-trained network's training noise (and larger), or null without a PCA.</summary>
    [JsonPropertyName("denoising_gain")]
    public DenoisingGainSummary? DenoisingGain { get; init; }
}

/// <summary>One (network, quiescence) run of an experiment, as written to summary.json (<c>runs[]</c>).</summary>
/// <param name="Name">"network/mode", for example "noise-trained/Scaled".</param>
/// <param name="Network">The network's name.</param>
/// <param name="NoiseStd">The network's training noise std per step.</param>
/// <param name="Biased">Whether its trajectories were biased.</param>
/// <param name="QuiescenceMode">The quiescent noise rule (Scaled, Same, Absolute(...)).</param>
/// <param name="QuiescentNoiseStd">The resolved quiescent noise std per step.</param>
/// <param name="TestLoss">Held-out MSE of the network.</param>
/// <param name="PositionErrorM">Spatial: mean decoding error, m; else null.</param>
/// <param name="PositionMseM2">Spatial: mean squared decoding error, m^2; else null.</param>
/// <param name="KlQuiescentToActive">KL(quiescent || active) of the decoded outputs over the first KlSteps of every chain, nats; null when the quiescent density does not exist (see <paramref name="KlNote"/>).</param>
/// <param name="KlStandardError">Monte Carlo standard error of that KL.</param>
/// <param name="KlNote">Why the KL is missing, or null.</param>
/// <param name="QuiescentOutputVariance">Per-chain variance of the decoded outputs after the burn-in, unit squared.</param>
/// <param name="ActiveStepDistance">Mean distance between consecutive decoded active outputs.</param>
/// <param name="QuiescentStepDistance">Mean distance between consecutive decoded quiescent outputs.</param>
/// <param name="DecodingError">Mean decoding error of the network.</param>
/// <param name="DecodingUnit">"m" or "rad".</param>
/// <param name="QuiescentMeanSignedStep">Head direction: mean signed heading change per quiescent step, rad (positive = counter-clockwise); else null.</param>
/// <param name="DenoisingAlignment">Vanilla cell: mean cosine between the autonomous drift and the KDE score of the active hidden states in the top 3 PCs; else null.</param>
/// <param name="LossDecomposition">Vanilla cell: the loss decomposition on the held-out batch; else null.</param>
/// <param name="HiddenState">Reactivation measured on the hidden states, or null without a PCA.</param>
public sealed record QuiescenceRunSummary(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("network")] string Network,
    [property: JsonPropertyName("noise_std")] float NoiseStd,
    [property: JsonPropertyName("biased")] bool Biased,
    [property: JsonPropertyName("quiescence_mode")] string QuiescenceMode,
    [property: JsonPropertyName("quiescent_noise_std")] float QuiescentNoiseStd,
    [property: JsonPropertyName("test_loss")] double TestLoss,
    [property: JsonPropertyName("position_error_m")] double? PositionErrorM,
    [property: JsonPropertyName("position_mse_m2")] double? PositionMseM2,
    [property: JsonPropertyName("kl_quiescent_to_active")] double? KlQuiescentToActive,
    [property: JsonPropertyName("kl_standard_error")] double? KlStandardError,
    [property: JsonPropertyName("kl_note")] string? KlNote,
    [property: JsonPropertyName("quiescent_output_variance")] double QuiescentOutputVariance,
    [property: JsonPropertyName("active_step_distance")] double ActiveStepDistance,
    [property: JsonPropertyName("quiescent_step_distance")] double QuiescentStepDistance,
    [property: JsonPropertyName("decoding_error")] double DecodingError,
    [property: JsonPropertyName("decoding_unit")] string DecodingUnit,
    [property: JsonPropertyName("quiescent_mean_signed_step")] double? QuiescentMeanSignedStep,
    [property: JsonPropertyName("denoising_alignment")] double? DenoisingAlignment,
    [property: JsonPropertyName("loss_decomposition")] LossDecompositionSummary? LossDecomposition,
    [property: JsonPropertyName("hidden_state")] HiddenStateSummary? HiddenState = null)
{
    /// <summary>Replay dynamics of the decoded quiescent paths against the waking ones (<see cref="ReplayAnalysis"/>), or null.</summary>
    [JsonPropertyName("replay")]
    public ReplaySummary? Replay { get; init; }

    /// <summary>The exponent a of q ∝ p^a fitted from the quiescent and active decoded densities (<see cref="Analysis.DensityExponent"/>),
    /// with the theory's prediction 2σ²/σ_q²; the value is null (with a note) where p is too flat to fit.</summary>
    [JsonPropertyName("density_exponent")]
    public DensityExponentSummary? DensityExponent { get; init; }

    /// <summary>Whether a quiescent chain's hidden state grew without bound (<see cref="Analysis.Runaway"/>), with the step and growth rate.</summary>
    [JsonPropertyName("runaway")]
    public RunawaySummary? Runaway { get; init; }

    /// <summary>KL(quiescent || active) of growing prefixes of the chains (<see cref="QuiescentMixing.KlOverTime"/>): whether the chains have mixed.</summary>
    [JsonPropertyName("kl_vs_time")]
    public IReadOnlyList<KlAtTimeSummary>? KlVsTime { get; init; }

    /// <summary>KL(quiescent || active decoded distribution of the same network on biased trajectories), nats.</summary>
    [JsonPropertyName("kl_quiescent_to_biased_active")]
    public double? KlToBiasedActive { get; init; }

    /// <summary>KL(quiescent || active decoded distribution of the same network on unbiased trajectories), nats.</summary>
    [JsonPropertyName("kl_quiescent_to_unbiased_active")]
    public double? KlToUnbiasedActive { get; init; }

    /// <summary>Spatial: mean distance of decoded positions from the arena centre (the biased drift's anchor), active and quiescent.</summary>
    [JsonPropertyName("radial_profile")]
    public RadialSummary? RadialProfile { get; init; }

    /// <summary>Head direction: turning statistics of the decoded headings, active and quiescent (the counter-clockwise bias).</summary>
    [JsonPropertyName("turning")]
    public TurningSummary? Turning { get; init; }
}

/// <summary>The fitted exponent of q ∝ p^a (<see cref="Analysis.DensityExponent.Fit"/>).</summary>
/// <param name="Value">Fitted a, or null when it could not be fitted.</param>
/// <param name="Stderr">Its least-squares standard error.</param>
/// <param name="Predicted">2σ²/σ_q² for the network's training σ and quiescent σ_q (1 for Scaled, 2 for Same); null for a noise-free network.</param>
/// <param name="GridPoints">Grid points used (where p is at least 5% of its peak).</param>
/// <param name="Note">Why the value is missing, or null.</param>
public sealed record DensityExponentSummary(
    [property: JsonPropertyName("value")] double? Value,
    [property: JsonPropertyName("stderr")] double? Stderr,
    [property: JsonPropertyName("predicted")] double? Predicted,
    [property: JsonPropertyName("grid_points")] int GridPoints,
    [property: JsonPropertyName("note")] string? Note);

/// <summary>The runaway check of a quiescent run (<see cref="RunawayReport"/>).</summary>
/// <param name="RanAway">Whether a chain's hidden-state norm crossed the threshold.</param>
/// <param name="Step">First step it crossed, or null.</param>
/// <param name="Chain">The chain, or null.</param>
/// <param name="GrowthRatePerStep">Fitted exponential growth rate of the norm per step, or null.</param>
/// <param name="GrowthRateStderr">Its standard error.</param>
/// <param name="Threshold">The norm threshold (a multiple of the waking norm).</param>
/// <param name="MaxNorm">Largest norm seen.</param>
/// <param name="Note">One line for readers.</param>
public sealed record RunawaySummary(
    [property: JsonPropertyName("ran_away")] bool RanAway,
    [property: JsonPropertyName("step")] int? Step,
    [property: JsonPropertyName("chain")] int? Chain,
    [property: JsonPropertyName("growth_rate_per_step")] double? GrowthRatePerStep,
    [property: JsonPropertyName("growth_rate_stderr")] double? GrowthRateStderr,
    [property: JsonPropertyName("threshold")] double Threshold,
    [property: JsonPropertyName("max_norm")] double MaxNorm,
    [property: JsonPropertyName("note")] string Note);

/// <summary>KL(quiescent || active) of the first <paramref name="End"/> steps of every chain.</summary>
/// <param name="Start">First step (0 for prefixes).</param>
/// <param name="End">Last step (exclusive).</param>
/// <param name="Kl">KL in nats, or null.</param>
/// <param name="Stderr">Its Monte Carlo standard error.</param>
public sealed record KlAtTimeSummary(
    [property: JsonPropertyName("start")] int Start,
    [property: JsonPropertyName("end")] int End,
    [property: JsonPropertyName("kl")] double? Kl,
    [property: JsonPropertyName("stderr")] double? Stderr);

/// <summary>Distance of decoded positions from the arena centre, m (<see cref="BiasedReactivation.Radial"/>).</summary>
/// <param name="ActiveMeanDistance">Waking mean distance.</param>
/// <param name="ActiveStderr">Its standard error over trajectories.</param>
/// <param name="QuiescentMeanDistance">Quiescent mean distance (the KL window).</param>
/// <param name="QuiescentStderr">Its standard error over chains.</param>
/// <param name="Edges">Radial bin edges, m.</param>
/// <param name="ActiveFraction">Fraction of waking positions per bin.</param>
/// <param name="QuiescentFraction">Fraction of quiescent positions per bin.</param>
public sealed record RadialSummary(
    [property: JsonPropertyName("active_mean_distance")] double ActiveMeanDistance,
    [property: JsonPropertyName("active_stderr")] double ActiveStderr,
    [property: JsonPropertyName("quiescent_mean_distance")] double QuiescentMeanDistance,
    [property: JsonPropertyName("quiescent_stderr")] double QuiescentStderr,
    [property: JsonPropertyName("edges")] double[] Edges,
    [property: JsonPropertyName("active_fraction")] double[] ActiveFraction,
    [property: JsonPropertyName("quiescent_fraction")] double[] QuiescentFraction);

/// <summary>Turning statistics of decoded headings (<see cref="BiasedReactivation.Turning"/>): mean signed step, rad per step
/// (positive = counter-clockwise), with its standard error, and the fraction of counter-clockwise steps.</summary>
/// <param name="ActiveMeanSignedStep">Waking mean signed step.</param>
/// <param name="ActiveStderr">Its standard error.</param>
/// <param name="ActiveCcwFraction">Waking fraction of counter-clockwise steps.</param>
/// <param name="QuiescentMeanSignedStep">Quiescent mean signed step (the KL window).</param>
/// <param name="QuiescentStderr">Its standard error.</param>
/// <param name="QuiescentCcwFraction">Quiescent fraction of counter-clockwise steps.</param>
public sealed record TurningSummary(
    [property: JsonPropertyName("active_mean_signed_step")] double ActiveMeanSignedStep,
    [property: JsonPropertyName("active_stderr")] double ActiveStderr,
    [property: JsonPropertyName("active_ccw_fraction")] double ActiveCcwFraction,
    [property: JsonPropertyName("quiescent_mean_signed_step")] double QuiescentMeanSignedStep,
    [property: JsonPropertyName("quiescent_stderr")] double QuiescentStderr,
    [property: JsonPropertyName("quiescent_ccw_fraction")] double QuiescentCcwFraction);

/// <summary>
/// Denoising measured where the theory puts it (<see cref="Analysis.DenoisingGain"/>): from held-out waking states perturbed
/// by e, the fraction of e one autonomous step removes, -&lt;δ, e&gt;/|e|², split into e's part inside the top active
/// principal components (on the manifold) and outside (off it), beside the leak alone (dt/tau), at the noise-trained
/// network's training noise std per unit (<see cref="Scale"/>) and at larger sizes.
/// </summary>
/// <param name="Scale">Perturbation std per unit of the headline values (the noise-trained network's training std).</param>
/// <param name="OffManifold">Fraction removed per step of the off-manifold part.</param>
/// <param name="OffManifoldStderr">Its standard error.</param>
/// <param name="OnManifold">Fraction removed per step of the on-manifold part.</param>
/// <param name="OnManifoldStderr">Its standard error.</param>
/// <param name="Total">Fraction removed of the whole perturbation.</param>
/// <param name="Leak">What the leak alone removes, dt/tau.</param>
/// <param name="Components">Principal components spanning the manifold.</param>
/// <param name="ByScale">Every perturbation size measured.</param>
public sealed record DenoisingGainSummary(
    [property: JsonPropertyName("scale")] double Scale,
    [property: JsonPropertyName("off_manifold")] double OffManifold,
    [property: JsonPropertyName("off_manifold_stderr")] double OffManifoldStderr,
    [property: JsonPropertyName("on_manifold")] double OnManifold,
    [property: JsonPropertyName("on_manifold_stderr")] double OnManifoldStderr,
    [property: JsonPropertyName("total")] double Total,
    [property: JsonPropertyName("leak")] double Leak,
    [property: JsonPropertyName("components")] int Components,
    [property: JsonPropertyName("by_scale")] IReadOnlyList<DenoisingGainAtScale> ByScale);

/// <summary>The denoising gain at one perturbation size.</summary>
/// <param name="Scale">Perturbation std per unit.</param>
/// <param name="OffManifold">Off-manifold fraction removed per step.</param>
/// <param name="OnManifold">On-manifold fraction removed per step.</param>
/// <param name="Total">Whole-perturbation fraction removed per step.</param>
public sealed record DenoisingGainAtScale(
    [property: JsonPropertyName("scale")] double Scale,
    [property: JsonPropertyName("off_manifold")] double OffManifold,
    [property: JsonPropertyName("on_manifold")] double OnManifold,
    [property: JsonPropertyName("total")] double Total);

/// <summary>
/// Replay dynamics of a quiescence run's decoded paths (the first KlSteps of every chain, the window of the KL), measured by
/// <see cref="ReplayAnalysis.Measure"/> with the held-out waking paths as the reference; time in s of trajectory time
/// (the task's dt per step).
/// </summary>
/// <param name="WindowSteps">Quiescent steps per chain measured.</param>
/// <param name="ActiveSpeed">Waking speed at lag 1, unit/s.</param>
/// <param name="Speed">Quiescent speed at lag 1, unit/s.</param>
/// <param name="SpeedRatio">Quiescent over waking speed at lag 1: the compression factor (&gt; 1 faster than waking).</param>
/// <param name="SpeedRatioLag10">The same at lag 10 (null when the paths are shorter).</param>
/// <param name="ActiveDiffusionExponent">Waking MSD exponent alpha (1 diffusive, &gt; 1 super-diffusive).</param>
/// <param name="DiffusionExponent">Quiescent MSD exponent alpha over lags 1-20 steps.</param>
/// <param name="DiffusionExponentStderr">Its jackknife standard error over chains.</param>
/// <param name="StepQuantiles">Quantiles 5/25/50/75/95 % of single quiescent step lengths, unit.</param>
/// <param name="CoverageTimeSeconds">Median time for a chain to visit half the arena's cells (or angle bins), s; null if most never do.</param>
/// <param name="FinalCoverage">Mean fraction of cells a chain visited by the end of the window.</param>
/// <param name="Wasserstein2">W2 distance between quiescent and waking occupancy, unit.</param>
/// <param name="Wasserstein2Floor">The same estimator between two halves of the waking occupancy: what sampling alone gives.</param>
public sealed record ReplaySummary(
    [property: JsonPropertyName("window_steps")] int WindowSteps,
    [property: JsonPropertyName("active_speed")] double ActiveSpeed,
    [property: JsonPropertyName("speed")] double Speed,
    [property: JsonPropertyName("speed_ratio")] double? SpeedRatio,
    [property: JsonPropertyName("speed_ratio_lag10")] double? SpeedRatioLag10,
    [property: JsonPropertyName("active_diffusion_exponent")] double? ActiveDiffusionExponent,
    [property: JsonPropertyName("diffusion_exponent")] double? DiffusionExponent,
    [property: JsonPropertyName("diffusion_exponent_stderr")] double? DiffusionExponentStderr,
    [property: JsonPropertyName("step_quantiles")] double[] StepQuantiles,
    [property: JsonPropertyName("coverage_time_s")] double? CoverageTimeSeconds,
    [property: JsonPropertyName("coverage_final")] double FinalCoverage,
    [property: JsonPropertyName("wasserstein2")] double? Wasserstein2,
    [property: JsonPropertyName("wasserstein2_floor")] double? Wasserstein2Floor);

/// <summary>
/// Reactivation measured on the hidden states (<see cref="HiddenStateReactivation.Compare"/>): KL(quiescent || active) of the
/// states projected onto the top active principal components, and the distance to the nearest waking state relative to
/// that of held-out waking states (about 1 on the waking manifold, larger off it).
/// </summary>
/// <param name="Components">Principal components used.</param>
/// <param name="ExplainedVarianceRatio">Fraction of the active variance they explain.</param>
/// <param name="PcKl">KL(quiescent || active) in those components, nats; null when not estimable.</param>
/// <param name="PcKlStandardError">Its Monte Carlo standard error.</param>
/// <param name="PcKlNote">Why the KL is missing, or null.</param>
/// <param name="ActiveNearestDistance">Mean distance from held-out waking states to the nearest other waking state.</param>
/// <param name="QuiescentNearestDistance">Mean distance from quiescent states to the nearest waking state.</param>
/// <param name="NearestDistanceRatio">Quiescent over active nearest distance (about 1 on the waking manifold).</param>
/// <param name="ActivePcMeanSquare">Mean square of the active states along each component.</param>
/// <param name="QuiescentPcMeanSquare">Mean square of the quiescent states along each component.</param>
public sealed record HiddenStateSummary(
    [property: JsonPropertyName("components")] int Components,
    [property: JsonPropertyName("explained_variance_ratio")] double ExplainedVarianceRatio,
    [property: JsonPropertyName("pc_kl_quiescent_to_active")] double? PcKl,
    [property: JsonPropertyName("pc_kl_standard_error")] double? PcKlStandardError,
    [property: JsonPropertyName("pc_kl_note")] string? PcKlNote,
    [property: JsonPropertyName("active_nearest_distance")] double ActiveNearestDistance,
    [property: JsonPropertyName("quiescent_nearest_distance")] double QuiescentNearestDistance,
    [property: JsonPropertyName("nearest_distance_ratio")] double NearestDistanceRatio,
    [property: JsonPropertyName("active_pc_mean_square")] double[] ActivePcMeanSquare,
    [property: JsonPropertyName("quiescent_pc_mean_square")] double[] QuiescentPcMeanSquare)
{
    internal static HiddenStateSummary From(HiddenStateReactivationResult r) => new(r.Components, r.ExplainedVarianceRatio, r.Kl?.Value,
        r.Kl?.StandardError, r.KlNote, r.ActiveNearestDistance, r.QuiescentNearestDistance, r.NearestDistanceRatio, r.ActiveMeanSquare, r.QuiescentMeanSquare);
}

/// <summary>
/// Means over steps of the loss decomposition of a network on the held-out batch with its training noise
/// (THEORY.md, "Measuring the decomposition"; every term divided by the number of output units, like the loss).
/// </summary>
/// <param name="Denoise">Denoising term.</param>
/// <param name="Integrate">Integration term.</param>
/// <param name="Noise">Noise term.</param>
/// <param name="Total">Measured loss.</param>
/// <param name="Cross">Cross term.</param>
/// <param name="Combined">Sum of the terms.</param>
/// <param name="Bound">The upper bound of the decomposition.</param>
public sealed record LossDecompositionSummary(
    [property: JsonPropertyName("denoise")] double Denoise,
    [property: JsonPropertyName("integrate")] double Integrate,
    [property: JsonPropertyName("noise")] double Noise,
    [property: JsonPropertyName("total")] double Total,
    [property: JsonPropertyName("cross")] double Cross,
    [property: JsonPropertyName("combined")] double Combined,
    [property: JsonPropertyName("bound")] double Bound)
{
    internal static LossDecompositionSummary? From(LossDecompositionResult? r) =>
        r is null ? null : new(r.MeanDenoise, r.MeanIntegrate, r.MeanNoise, r.MeanTotal, r.MeanCross, r.MeanCombined, r.MeanBound);
}

/// <summary>
/// KL(row || column) in nats between every quiescent distribution (each run, the untrained random network, uniform over
/// the arena) and the active distribution of each trained network; null where the row's density does not exist.
/// </summary>
/// <param name="Rows">Row names: the runs, "random network", "uniform over the arena" (or circle).</param>
/// <param name="Columns">Column names: "&lt;network&gt; active".</param>
/// <param name="Values">[rows][columns] KL values in nats, null where undefined.</param>
public sealed record KlMatrix(
    [property: JsonPropertyName("rows")] IReadOnlyList<string> Rows,
    [property: JsonPropertyName("columns")] IReadOnlyList<string> Columns,
    [property: JsonPropertyName("values")] IReadOnlyList<IReadOnlyList<double?>> Values);

/// <summary>Everything an experiment writes to summary.json.</summary>
/// <param name="Preset">The configuration's name.</param>
/// <param name="Seed">The base seed.</param>
/// <param name="WallSeconds">Wall time of the call that finished the run, s.</param>
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
