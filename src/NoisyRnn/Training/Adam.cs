using NoisyRnn.Kernels;

namespace NoisyRnn.Training;

/// <summary>
/// Adam over one contiguous parameter buffer, computing what <c>torch.optim.Adam</c> computes in float32:
/// g += wd*p; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
/// The moments live in two buffers of the same layout as the parameters, so checkpoints store them as they are.
/// </summary>
public sealed class Adam
{
    private readonly float[] _m;
    private readonly float[] _v;

    /// <summary>Creates an optimizer for <paramref name="parameterCount"/> parameters with zero moments.</summary>
    /// <param name="options">Hyper-parameters; validated.</param>
    /// <param name="parameterCount">Length of the parameter buffer; &gt; 0.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range or <paramref name="parameterCount"/> &lt;= 0.</exception>
    public Adam(AdamOptions options, int parameterCount)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Guard.Positive(parameterCount);
        Options = options;
        _m = new float[parameterCount];
        _v = new float[parameterCount];
    }

    /// <summary>The hyper-parameters.</summary>
    public AdamOptions Options { get; }

    /// <summary>Number of steps taken so far (t in the bias corrections).</summary>
    public long StepCount { get; private set; }

    /// <summary>First-moment buffer (same layout as the parameters); exposed for checkpoints.</summary>
    public Span<float> FirstMoment => _m;

    /// <summary>Second-moment buffer (same layout as the parameters); exposed for checkpoints.</summary>
    public Span<float> SecondMoment => _v;

    /// <summary>Restores the step counter after loading the moments from a checkpoint.</summary>
    /// <param name="stepCount">Steps already taken; &gt;= 0 and &lt; <see cref="long.MaxValue"/> (the next step must be countable).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stepCount"/> is negative or <see cref="long.MaxValue"/>.</exception>
    public void RestoreStepCount(long stepCount)
    {
        // long.MaxValue would wrap to long.MinValue at the next Step, making the bias corrections infinite and the update NaN.
        if (stepCount < 0 || stepCount == long.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(stepCount), stepCount, $"stepCount must be between 0 and {long.MaxValue - 1}.");
        StepCount = stepCount;
    }

    /// <summary>Applies one update in place.</summary>
    /// <param name="parameters">Parameter buffer, length = the count given at construction; finite; updated in place.</param>
    /// <param name="gradients">Gradient of the loss, same layout; finite; not modified.</param>
    /// <exception cref="ArgumentException">A span has the wrong length or holds a NaN or infinity; nothing is updated.</exception>
    /// <exception cref="InvalidOperationException"><see cref="StepCount"/> is already <see cref="long.MaxValue"/>; nothing is updated.</exception>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        Guard.Length(parameters.Length, _m.Length, nameof(parameters), "[parameterCount]");
        Guard.Length(gradients.Length, _m.Length, nameof(gradients), "[parameterCount]");
        Guard.AllFinite(parameters, nameof(parameters));
        Guard.AllFinite(gradients, nameof(gradients));
        // The counter would wrap to long.MinValue and turn the bias corrections, and so every parameter, into NaN.
        if (StepCount == long.MaxValue) throw new InvalidOperationException($"Adam has taken {long.MaxValue} steps; its step counter cannot go further.");
        StepCount++;
        // Scalars reach the float32 kernels the way PyTorch passes Python floats: computed in double, cast once.
        float b1 = (float)Options.Beta1, b2 = (float)Options.Beta2, eps = (float)Options.Epsilon, wd = (float)Options.WeightDecay;
        // Bias corrections in double, as Python computes them, then used in float32 like torch.
        double bc1 = 1 - Math.Pow(b1, StepCount);
        double bc2Sqrt = Math.Sqrt(1 - Math.Pow(b2, StepCount));
        float stepSize = (float)(Options.LearningRate / bc1);
        float invBc2Sqrt = (float)bc2Sqrt;
        float oneMinusB1 = (float)(1 - Options.Beta1), oneMinusB2 = (float)(1 - Options.Beta2);
        Span<float> m = _m, v = _v;
        // The same IEEE operations in the same order on whole vectors (no fused multiply-add), then the scalar tail:
        // every element gets the bits of the scalar loop.
        AdamUpdate.Apply(parameters, gradients, _m, _v, b1, b2, oneMinusB1, oneMinusB2, eps, wd, stepSize, invBc2Sqrt, Isa.Tier);
    }
}
