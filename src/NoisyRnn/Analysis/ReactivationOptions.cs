using NoisyRnn.Noise;

namespace NoisyRnn.Analysis;

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
