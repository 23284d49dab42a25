namespace NoisyRnn.Tasks;

/// <summary>Tuning curve of <see cref="PlaceCells"/>.</summary>
public enum PlaceCellTuning
{
    /// <summary>Softmax of Gaussian logits, a_i = softmax_i(-d_i^2 / (2 sigma^2)) (the paper's code). Default.</summary>
    Gaussian = 0,

    /// <summary>
    /// Difference of Gaussians with the semantics of Sorscher et al. (2019): softmax_i(-d_i^2 / (2 sigma^2)) minus
    /// softmax_i(-d_i^2 / (2 s sigma^2)) with surround scale s, shifted up by the magnitude of the row minimum and
    /// renormalised to sum to 1 (see <see cref="PlaceCells.Encode"/>).
    /// </summary>
    DifferenceOfGaussians = 1,
}
