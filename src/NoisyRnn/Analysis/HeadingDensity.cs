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
