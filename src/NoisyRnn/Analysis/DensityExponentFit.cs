namespace NoisyRnn.Analysis;

/// <summary>Result of <see cref="DensityExponent.Fit"/>: the exponent a of q ∝ p^a.</summary>
/// <param name="Value">a, the least-squares slope of ln q against ln p over the kept grid points.</param>
/// <param name="StandardError">The ordinary least-squares standard error of the slope. Grid points are not independent samples:
/// this measures how well one power law describes q against p on the grid (its residual scatter), not the sampling error of
/// the two density estimates; compare fits on independent runs (seeds) for that.</param>
/// <param name="Intercept">The fitted ln q at ln p = 0 (−ln of the normaliser of p^a for an exact power law).</param>
/// <param name="GridPoints">Grid points used: those where p ≥ floor × (largest p on the grid) and ln q is finite.</param>
/// <param name="ExcludedNonFinite">Grid points above the floor dropped because ln q was −∞ (q zero to double range).</param>
/// <param name="FloorFraction">The floor, as a fraction of the largest p on the grid.</param>
public sealed record DensityExponentFit(double Value, double StandardError, double Intercept, int GridPoints, int ExcludedNonFinite, double FloorFraction);
