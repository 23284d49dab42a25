namespace NoisyRnn.Analysis;

/// <summary>Reactivation metrics of one quiescent run compared with the active (waking) decoded coordinates
/// (<see cref="PathIntegrationReactivation.Analyze"/>); units are the task's (m for positions, rad for headings).</summary>
/// <param name="QuiescentNoiseStd">Per-step recurrent noise std of the quiescent run.</param>
/// <param name="Kl">KL(quiescent || active) by the reference's Monte Carlo KDE estimator, or null when the quiescent
/// coordinates are degenerate (for example every chain frozen at one point) and no KDE exists.</param>
/// <param name="KlNote">Why <paramref name="Kl"/> is null; otherwise null.</param>
/// <param name="QuiescentOutputVariance">Per-trajectory trace of the covariance of decoded coordinates after the burn-in
/// (headings unwrapped), averaged over trajectories, unit^2.</param>
/// <param name="QuiescentStepDistance">Mean Euclidean step of decoded quiescent coordinates over the first steps, unit.</param>
/// <param name="QuiescentDecoded">Decoded quiescent coordinates [batch, steps, DecodedSize] (headings wrapped).</param>
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
