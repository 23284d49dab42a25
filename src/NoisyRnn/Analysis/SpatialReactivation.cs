using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Tasks;

namespace NoisyRnn.Analysis;

/// <summary>How the density of decoded head directions is estimated (<see cref="ReactivationOptions.HeadingDensity"/>).</summary>
public enum HeadingDensity
{
    /// <summary>Paper mode (default): <see cref="CircularKde"/>, von Mises kernels on the circle, Scott's rule on the circle;
    /// continuous across ±π and invariant under rotations.</summary>
    VonMises = 0,

    /// <summary>The reference's estimator: the 1-D <see cref="GaussianKde"/> (Scott's rule) of headings wrapped to [−π, π),
    /// which splits data near ±π and so depends on where on the circle they lie.</summary>
    LinearGaussian = 1,
}

/// <summary>
/// Lengths and sample counts of a reactivation analysis. Defaults are the paper's (Krishna et al. 2024, Sec. 4.1;
/// reference output_kl.py, output_variance.py, output_distance.py): KL on 1000 quiescent steps, variance on 2000
/// steps with the first 1000 dropped, step distance on the first 100 steps, 2500 Monte Carlo samples. One quiescent
/// run of max(KlSteps, VarianceSteps, StepDistanceSteps) steps serves all three metrics: each uses its leading or
/// trailing window of that run.
/// </summary>
public sealed record ReactivationOptions
{
    /// <summary>Leading quiescent steps whose decoded outputs form the quiescent density; &gt; 0. Default 1000.</summary>
    public int KlSteps { get; init; } = 1000;

    /// <summary>Quiescent steps for the output variance; &gt; VarianceShift. Default 2000.</summary>
    public int VarianceSteps { get; init; } = 2000;

    /// <summary>Leading steps dropped before the variance is measured (burn-in); &gt;= 0. Default 1000.</summary>
    public int VarianceShift { get; init; } = 1000;

    /// <summary>Leading quiescent steps over which the mean step distance is measured; &gt;= 2. Default 100.</summary>
    public int StepDistanceSteps { get; init; } = 100;

    /// <summary>Monte Carlo samples drawn from the quiescent KDE; &gt; 0. Default 2500.</summary>
    public int KlSamples { get; init; } = KlDivergence.DefaultSamples;

    /// <summary>Seed of the quiescent noise and the Monte Carlo samples.</summary>
    public ulong Seed { get; init; }

    /// <summary>Distribution of the raw quiescent noise draws: Gaussian (paper, default) or U[0,1) (the published code,
    /// whose draws have mean 1/2 and so push every unit by std/2 per step).</summary>
    public NoiseDistribution NoiseDistribution { get; init; } = NoiseDistribution.StandardNormal;

    /// <summary>Density estimator of decoded headings (circular tasks only; positions always use <see cref="GaussianKde"/>):
    /// <see cref="Analysis.HeadingDensity.VonMises"/> (paper mode, default) or <see cref="Analysis.HeadingDensity.LinearGaussian"/>
    /// (the reference). Read by <see cref="PathIntegrationReactivation.Density(NoisyRnn.Tasks.IPathIntegrationTask, ReadOnlySpan{float}, ReactivationOptions)"/>.</summary>
    public HeadingDensity HeadingDensity { get; init; } = HeadingDensity.VonMises;

    /// <summary>A quiescent chain whose hidden-state norm exceeds this multiple of the reference norm (or becomes
    /// non-finite) counts as run away (<see cref="QuiescentReport.Runaway"/>); finite and &gt; 1. Default
    /// <see cref="Analysis.Runaway.DefaultNormFactor"/> = 100.</summary>
    public double RunawayNormFactor { get; init; } = Analysis.Runaway.DefaultNormFactor;

    /// <summary>The waking hidden-state norm the runaway threshold is a multiple of (e.g. <see cref="Analysis.Runaway.MeanNorm"/>
    /// of the active hidden states); null (default) uses the mean norm of the quiescent start states (the encoded waking start
    /// codes). Finite and &gt; 0 when given.</summary>
    public double? RunawayReferenceNorm { get; init; }

    /// <summary>Steps of the single quiescent run that serves all metrics.</summary>
    public int TotalSteps => Math.Max(KlSteps, Math.Max(VarianceSteps, StepDistanceSteps));

    /// <summary>Checks every field.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A field is outside its range; the parameter name is the property.</exception>
    public void Validate()
    {
        if (KlSteps <= 0) throw new ArgumentOutOfRangeException(nameof(KlSteps), KlSteps, "KlSteps must be > 0.");
        if (VarianceShift < 0) throw new ArgumentOutOfRangeException(nameof(VarianceShift), VarianceShift, "VarianceShift must be >= 0.");
        if (VarianceSteps < VarianceShift + 2L) throw new ArgumentOutOfRangeException(nameof(VarianceSteps), VarianceSteps, $"VarianceSteps must be >= VarianceShift + 2 = {VarianceShift + 2L}.");
        if (StepDistanceSteps < 2) throw new ArgumentOutOfRangeException(nameof(StepDistanceSteps), StepDistanceSteps, "StepDistanceSteps must be >= 2.");
        if (KlSamples <= 0) throw new ArgumentOutOfRangeException(nameof(KlSamples), KlSamples, "KlSamples must be > 0.");
        if (!Enum.IsDefined(NoiseDistribution))
            throw new ArgumentOutOfRangeException(nameof(NoiseDistribution), NoiseDistribution, "NoiseDistribution must be StandardNormal or Uniform01.");
        if (!Enum.IsDefined(HeadingDensity))
            throw new ArgumentOutOfRangeException(nameof(HeadingDensity), HeadingDensity, "HeadingDensity must be VonMises or LinearGaussian.");
        if (!(RunawayNormFactor > 1) || !double.IsFinite(RunawayNormFactor))
            throw new ArgumentOutOfRangeException(nameof(RunawayNormFactor), RunawayNormFactor, "RunawayNormFactor must be finite and > 1.");
        if (RunawayReferenceNorm is { } reference && (!(reference > 0) || !double.IsFinite(reference)))
            throw new ArgumentOutOfRangeException(nameof(RunawayReferenceNorm), reference, "RunawayReferenceNorm must be null or finite and > 0.");
    }
}

/// <summary>Reactivation metrics of one quiescent run compared with the active (waking) decoded positions.</summary>
/// <param name="QuiescentNoiseStd">Per-step recurrent noise std of the quiescent run.</param>
/// <param name="Kl">KL(quiescent || active) by the reference's Monte Carlo KDE estimator, or null when the quiescent
/// positions are degenerate (for example every chain frozen at one point) and no KDE exists.</param>
/// <param name="KlNote">Why <paramref name="Kl"/> is null; otherwise null.</param>
/// <param name="QuiescentOutputVariance">Per-trajectory trace of the covariance of decoded positions after the burn-in,
/// averaged over trajectories, m^2.</param>
/// <param name="QuiescentStepDistance">Mean Euclidean step of decoded quiescent positions over the first steps, m.</param>
/// <param name="QuiescentDecoded">Decoded quiescent positions [batch, steps, 2], m.</param>
/// <param name="Batch">Number of chains.</param>
/// <param name="Steps">Steps per chain.</param>
public sealed record QuiescentReport(float QuiescentNoiseStd, KlEstimate? Kl, string? KlNote, double QuiescentOutputVariance,
    double QuiescentStepDistance, float[] QuiescentDecoded, int Batch, int Steps)
{
    /// <summary>For circular (head-direction) tasks: the mean signed change of the unwrapped heading per step over the
    /// whole quiescent run, rad per step (positive = counter-clockwise, the direction of biased training turns); null for
    /// other tasks.</summary>
    public double? MeanSignedStep { get; init; }

    /// <summary>The density of the decoded quiescent coordinates that <see cref="Kl"/> was estimated from (the leading
    /// KlSteps of every chain), fitted with the active density's estimator (<see cref="GaussianKde"/> or <see cref="CircularKde"/>),
    /// so further divergences against other densities need not refit it; null when <see cref="Kl"/> is null.</summary>
    public IKernelDensity? QuiescentEstimate { get; init; }

    /// <summary><see cref="QuiescentEstimate"/> when it is a <see cref="GaussianKde"/> (positions, or headings with
    /// <see cref="HeadingDensity.LinearGaussian"/>); null otherwise. Kept for callers that need the Gaussian KDE itself
    /// (e.g. its kernel covariance for a figure grid).</summary>
    public GaussianKde? QuiescentDensity => QuiescentEstimate as GaussianKde;

    /// <summary>Name of the density estimator of <see cref="Kl"/> (<see cref="IKernelDensity.Estimator"/> of the active
    /// density: <c>gaussian_kde</c> or <c>von_mises_kde</c>), for summary.json's <c>density_estimator</c>.</summary>
    public string? DensityEstimator { get; init; }

    /// <summary>Whether the quiescent hidden state grew without bound (<see cref="Analysis.Runaway.Detect"/> on the per-step
    /// state norms of all chains, threshold <see cref="ReactivationOptions.RunawayNormFactor"/> × the reference norm). When
    /// <see cref="RunawayReport.RanAway"/> is true, <see cref="Kl"/> is null and <see cref="KlNote"/> says so; the output
    /// variance and step distance are still filled but describe a saturated readout, not reactivation, and should not be
    /// reported as ordinary statistics. Null only for reports not made by <see cref="PathIntegrationReactivation.Analyze"/>.</summary>
    public RunawayReport? Runaway { get; init; }
}

/// <summary>
/// The paper's reactivation analysis for the spatial task (Sec. 4.1, Fig. 2): decode active and quiescent outputs
/// to positions with the top-3 place-cell rule, fit Gaussian KDEs (Scott's rule) and compare them by Monte Carlo
/// KL, and measure the output variance and step distance of the decoded trajectories.
/// </summary>
public static class SpatialReactivation
{
    /// <summary>
    /// Runs the network on a batch of waking trajectories (velocity input, training noise) and decodes its outputs.
    /// </summary>
    /// <param name="model">Trained network.</param>
    /// <param name="batch">Waking batch: its velocity drives the network from the encoded start place code.</param>
    /// <param name="placeCells">Place cells used for decoding.</param>
    /// <param name="noise">Noise during the active run (the training noise, as the reference).</param>
    /// <param name="seed">Seed of the noise streams.</param>
    /// <param name="distribution">Distribution of the raw input and recurrent draws (the training one).</param>
    /// <returns>Decoded positions [batch, time, 2], m.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">Sizes do not match the model (ParamName "placeCells" when the cell count differs
    /// from the model's OutputSize).</exception>
    public static float[] DecodeActive(IRecurrentNetwork model, SpatialNavigationBatch batch, PlaceCells placeCells, NoiseLevels noise, ulong seed,
        NoiseDistribution distribution = NoiseDistribution.StandardNormal)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(placeCells);
        ArgumentNullException.ThrowIfNull(noise);
        CheckCells(model, placeCells);
        var tape = model.CreateTape(batch.BatchSize, batch.TimeSteps);
        model.Forward(batch.Inputs, batch.InitialState, noise, NoiseStreams.FromSeed(seed, distribution), tape);
        var decoded = new float[batch.BatchSize * batch.TimeSteps * 2];
        placeCells.Decode(tape.Outputs, decoded);
        return decoded;
    }

    /// <summary>Fits the Gaussian KDE (Scott's rule) of decoded positions [n, 2].</summary>
    /// <param name="decoded">Decoded positions, row-major [n, 2].</param>
    /// <returns>The density estimate.</returns>
    /// <exception cref="DegenerateDataException">The positions have a singular covariance.</exception>
    public static GaussianKde Density(ReadOnlySpan<float> decoded)
    {
        var data = new double[decoded.Length];
        for (int i = 0; i < data.Length; i++) data[i] = decoded[i];
        return new GaussianKde(data, 2, BandwidthRule.Scott);
    }

    /// <summary>
    /// Runs quiescence from the encoded start states and measures it against the active density.
    /// </summary>
    /// <param name="model">Trained network.</param>
    /// <param name="placeCells">Place cells used for decoding.</param>
    /// <param name="initState">Place-cell code of the start positions, [batch, cells]; the chains start at
    /// <see cref="IRecurrentNetwork.Encode"/> of it, as in the reference.</param>
    /// <param name="batch">Number of chains; &gt; 0.</param>
    /// <param name="activeDensity">KDE of the active decoded positions (see <see cref="Density"/>).</param>
    /// <param name="quiescentNoiseStd">Per-step recurrent noise std during quiescence; &gt;= 0.</param>
    /// <param name="options">Lengths and sample counts.</param>
    /// <returns>The quiescent metrics and trajectories.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option or size is out of range.</exception>
    /// <exception cref="ArgumentException">The place-cell count differs from the model's OutputSize (ParamName "placeCells"),
    /// <paramref name="activeDensity"/> is not 2-D, or <paramref name="initState"/> is not [batch, InitSize] or not finite.</exception>
    /// <exception cref="SimulationDivergedException">The quiescent state or its readout became non-finite.</exception>
    public static QuiescentReport Analyze(IRecurrentNetwork model, PlaceCells placeCells, ReadOnlySpan<float> initState, int batch,
        GaussianKde activeDensity, float quiescentNoiseStd, ReactivationOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(placeCells);
        ArgumentNullException.ThrowIfNull(activeDensity);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Guard.Positive(batch);
        Guard.NonNegative(quiescentNoiseStd);
        CheckCells(model, placeCells);
        if (activeDensity.Dimensions != 2)
            throw new ArgumentException($"activeDensity has {activeDensity.Dimensions} dimension(s); expected 2 (decoded x, y).", nameof(activeDensity));

        // The generic analysis with a spatial task around these place cells (only its decoder is used).
        var task = new SpatialNavigationTask(new SpatialNavigationOptions(), placeCells);
        return PathIntegrationReactivation.Analyze(model, task, initState, batch, activeDensity, quiescentNoiseStd, options);
    }

    private static void CheckCells(IRecurrentNetwork model, PlaceCells placeCells)
    {
        if (placeCells.Count != model.NetworkOptions.OutputSize)
            throw new ArgumentException($"placeCells has {placeCells.Count} cells; expected the model's OutputSize = {model.NetworkOptions.OutputSize}.", nameof(placeCells));
    }
}
