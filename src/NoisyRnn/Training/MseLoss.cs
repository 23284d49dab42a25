using NoisyRnn.Kernels;

namespace NoisyRnn.Training;

/// <summary>
/// Mean squared error over every element, as <c>torch.nn.MSELoss()</c> (the paper's training loss,
/// L = E||f(s) - D r||^2 divided by the number of output units; THEORY.md).
/// </summary>
public static class MseLoss
{
    /// <summary>Computes the loss and, optionally, its gradient with respect to the outputs.</summary>
    /// <param name="outputs">Network outputs, any shape flattened (e.g. [batch, time, output]); a NaN or infinity gives a
    /// non-finite loss (how training detects divergence), not an exception.</param>
    /// <param name="targets">Targets, same length; finite.</param>
    /// <param name="gradient">Receives dL/d outputs = 2 (outputs - targets) / count; same length, or empty to skip.</param>
    /// <returns>mean((outputs - targets)^2): squares summed in float32 within each 4096-element chunk (in a fixed order,
    /// whatever the alignment of the spans), chunk sums added in double in chunk order; +Infinity when a chunk
    /// sum exceeds the float range (differences of about 1e19 and more).</returns>
    /// <exception cref="ArgumentException">Lengths differ, the spans are empty, or a target is not finite (checked only when the
    /// sum is not finite, which any non-finite target makes it; <paramref name="gradient"/> is then partly written).</exception>
    public static double Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, Span<float> gradient)
        => SquaredError.Mean(outputs, targets, gradient);
}
