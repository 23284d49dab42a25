namespace NoisyRnn.Tasks;

/// <summary>Helpers for angles in radians (head direction): wrapping and circular differences.</summary>
public static class Angles
{
    /// <summary>
    /// Wraps an angle to [-pi, pi) the way the reference does, <c>np.mod(angle + pi, 2 pi) - pi</c>: numpy's <c>mod</c> takes
    /// the sign of the divisor, so negative angles wrap upward and every multiple of 2 pi maps to 0 (odd multiples of pi
    /// map to -pi). Rounding can, for angles a hair below an odd multiple of pi, give exactly +pi, as numpy does.
    /// </summary>
    /// <param name="angle">Any finite angle, rad.</param>
    /// <returns>The equivalent angle in [-pi, pi] (pi only through rounding), rad.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="angle"/> is not finite.</exception>
    public static double Wrap(double angle)
    {
        Guard.Finite(angle);
        return SpatialTrajectoryGenerator.NumpyMod(angle + Math.PI, 2 * Math.PI) - Math.PI;
    }

    /// <summary>Signed circular difference a - b wrapped to [-pi, pi), rad.</summary>
    /// <param name="a">An angle, rad; finite.</param>
    /// <param name="b">An angle, rad; finite.</param>
    /// <returns>The wrapped difference, rad.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An angle is not finite.</exception>
    public static double Difference(double a, double b) => Wrap(a - b);
}
