namespace NoisyRnn.Analysis;

/// <summary>KL(quiescent ‖ active) over one stretch of the quiescent chains.</summary>
/// <param name="StartStep">First quiescent step used (0-based).</param>
/// <param name="EndStep">One past the last step used.</param>
/// <param name="Kl">The Monte Carlo KL, or null when the stretch has no density (for example every chain frozen).</param>
/// <param name="Note">Why <paramref name="Kl"/> is null; otherwise null.</param>
public sealed record KlAtTime(int StartStep, int EndStep, KlEstimate? Kl, string? Note);
