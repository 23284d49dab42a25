using NoisyRnn.Models;

namespace NoisyRnn.Analysis;

/// <summary>Result of <see cref="DenoisingGain.Measure"/>.</summary>
/// <param name="Points">One entry per perturbation size, in the order given.</param>
/// <param name="Leak">What the leak alone removes per step, dt/tau (<see cref="IRecurrentNetworkOptions.Alpha"/>): the gain of a
/// vanilla network whose recurrent input ignores the perturbation (W_rec = 0). For the GRU it is the gain of a fully open
/// update gate with a candidate that ignores the perturbation.</param>
/// <param name="Components">k, the principal components that span the "on the manifold" directions.</param>
/// <param name="ExplainedVarianceRatio">Fraction of the active states' variance in those k components.</param>
/// <param name="States">Number of waking states the gains are averaged over.</param>
public sealed record DenoisingGainResult(IReadOnlyList<DenoisingGainPoint> Points, double Leak, int Components, double ExplainedVarianceRatio, int States)
{
    /// <summary>The entry whose <see cref="DenoisingGainPoint.Scale"/> is nearest to <paramref name="scale"/> (e.g. the training
    /// noise std, for summary.json's <c>denoising_gain</c>).</summary>
    /// <param name="scale">A perturbation size.</param>
    /// <returns>The nearest entry.</returns>
    public DenoisingGainPoint Nearest(double scale) => Points.MinBy(p => Math.Abs(p.Scale - scale))!;
}
