namespace NoisyRnn.Analysis;

/// <summary>Result of <see cref="Runaway.Detect"/>: whether quiescent chains grew without bound, and how fast.</summary>
/// <param name="RanAway">True when some chain's hidden-state norm exceeded <paramref name="Threshold"/> or became non-finite.</param>
/// <param name="Step">The first step (0-based, counted from the start of the run) at which any chain crossed; null when none did.</param>
/// <param name="Chain">The chain that crossed at <paramref name="Step"/> (the lowest index on ties); null when none did.</param>
/// <param name="GrowthRate">Fitted exponential growth rate g of that chain's norm, per step (ln ‖h_t‖ ≈ a + g t, least squares
/// over its growth phase: from the last step at or below <paramref name="ReferenceNorm"/> before the crossing, or step 0, to
/// its last finite step); the norm grows by the factor e^g per step. Null when no chain crossed or fewer than 2 finite
/// norms are in the phase.</param>
/// <param name="GrowthRateStandardError">The ordinary least-squares standard error of <paramref name="GrowthRate"/> (0 for a
/// fit through 2 points, or an exact exponential); null with it.</param>
/// <param name="ReferenceNorm">The reference (waking) norm the threshold is a multiple of.</param>
/// <param name="Threshold">factor × <paramref name="ReferenceNorm"/>.</param>
/// <param name="MaxNorm">The largest finite norm of any chain at any step (+∞ when a norm was not finite).</param>
/// <param name="Steps">Steps per chain that were checked.</param>
public sealed record RunawayReport(bool RanAway, int? Step, int? Chain, double? GrowthRate, double? GrowthRateStandardError,
    double ReferenceNorm, double Threshold, double MaxNorm, int Steps)
{
    /// <summary>A one-line description for reports: "ran away at step S (chain c), growth rate g per step" or "no runaway".</summary>
    public string Describe() => RanAway
        ? $"ran away at step {Step} (chain {Chain}): hidden-state norm above {Threshold:G3} = {Threshold / ReferenceNorm:G3} x the waking norm {ReferenceNorm:G3}" +
          (GrowthRate is { } g ? $", growth rate {g:G3} per step (x{Math.Exp(g):G4} per step)" : "")
        : $"no runaway: largest hidden-state norm {MaxNorm:G3} = {MaxNorm / ReferenceNorm:G3} x the waking norm";
}
