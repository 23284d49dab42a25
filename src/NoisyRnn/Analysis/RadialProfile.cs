namespace NoisyRnn.Analysis;

/// <summary>Density of decoded positions against the distance from an anchor (<see cref="BiasedReactivation.Radial"/>).</summary>
/// <param name="Edges">Bin edges of the distance, [bins + 1], in the positions' unit (m): 0, maxRadius/bins, ..., maxRadius.</param>
/// <param name="Fraction">Fraction of all points in each distance bin, [bins].</param>
/// <param name="RadialDensity">Fraction / bin width, [bins]: the probability density of the distance r (1/m).</param>
/// <param name="AreaDensity">Fraction / annulus area π (r_{k+1}² − r_k²), [bins]: the mean density of positions per unit area
/// over each annulus (1/m²). Where an annulus leaves the arena (distance above half the box side from the centre) it
/// averages over area no point can occupy, so it falls there even for a uniform occupancy.</param>
/// <param name="OutsideFraction">Fraction of points farther than the last edge.</param>
/// <param name="MeanDistance">Mean distance to the anchor: per-trajectory means, then their mean and standard error over
/// trajectories (the points of one trajectory are correlated; the trajectories are independent).</param>
/// <param name="Points">Number of points (batch × time).</param>
public sealed record RadialProfile(double[] Edges, double[] Fraction, double[] RadialDensity, double[] AreaDensity, double OutsideFraction,
    MeanEstimate MeanDistance, int Points);
