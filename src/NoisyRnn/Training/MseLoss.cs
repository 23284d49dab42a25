using System.Numerics.Tensors;

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
    /// <returns>mean((outputs - targets)^2), accumulated in double.</returns>
    /// <exception cref="ArgumentException">Lengths differ, the spans are empty, or a target is not finite (checked only when the
    /// sum is not finite, which any non-finite target makes it; <paramref name="gradient"/> is then partly written).</exception>
    public static double Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, Span<float> gradient)
    {
        if (outputs.Length == 0) throw new ArgumentException("outputs must not be empty.", nameof(outputs));
        Guard.Length(targets.Length, outputs.Length, nameof(targets), "outputs.Length");
        if (!gradient.IsEmpty) Guard.Length(gradient.Length, outputs.Length, nameof(gradient), "outputs.Length");
        // No separate pass over the targets: a NaN or infinite target makes its difference, and so the sum, non-finite,
        // and only then are the targets searched (one pass fewer over [batch, time, outputs] per training step).
        double sum = 0;
        const int Chunk = 4096;
        Span<float> diff = stackalloc float[Chunk];
        for (int start = 0; start < outputs.Length; start += Chunk)
        {
            int n = Math.Min(Chunk, outputs.Length - start);
            Span<float> d = diff[..n];
            TensorPrimitives.Subtract(outputs.Slice(start, n), targets.Slice(start, n), d);
            sum += TensorPrimitives.SumOfSquares(d);
            if (!gradient.IsEmpty) TensorPrimitives.Multiply(d, 2f / outputs.Length, gradient.Slice(start, n));
        }
        if (!double.IsFinite(sum)) Guard.AllFinite(targets, nameof(targets));
        return sum / outputs.Length;
    }
}
