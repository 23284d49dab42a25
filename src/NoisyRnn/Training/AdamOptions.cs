using System.Runtime.Intrinsics;

namespace NoisyRnn.Training;

/// <summary>
/// Hyper-parameters of <see cref="Adam"/>, with the defaults of <c>torch.optim.Adam</c> except the learning
/// rate, which defaults to the paper's 1e-3 (Krishna et al. 2024, App. B; reference trainer.py).
/// </summary>
public sealed record AdamOptions
{
    /// <summary>Step size; &gt; 0 and finite as a float32. Default 1e-3.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Decay of the first-moment average; in [0, 1), also after rounding to float32. Default 0.9.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Decay of the second-moment average; in [0, 1), also after rounding to float32. Default 0.999.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Added to the bias-corrected root of the second moment; &gt; 0 and finite as a float32. Default 1e-8.</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>
    /// Coupled L2 weight decay: <c>weightDecay * parameter</c> is added to the gradient before the moments are
    /// updated (torch.optim.Adam, not AdamW); finite and &gt;= 0. Default 0 (the paper).
    /// </summary>
    public double WeightDecay { get; init; }

    /// <summary>Checks every field.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A field is outside its range, or leaves it when rounded to float32 (the
    /// update's precision); the parameter name is the property.</exception>
    public void Validate()
    {
        // The update runs in float32 (as torch does), so every value must also be valid after the cast to float.
        if (!(LearningRate > 0) || !float.IsFinite((float)LearningRate) || !((float)LearningRate > 0))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, $"LearningRate must be finite and > 0 in float32, i.e. in [{float.Epsilon}, {float.MaxValue}].");
        if (!(Beta1 >= 0 && (float)Beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta1), Beta1, "Beta1 must be in [0, 1), also after rounding to float32 (at most 1 - 6e-8).");
        if (!(Beta2 >= 0 && (float)Beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta2), Beta2, "Beta2 must be in [0, 1), also after rounding to float32 (at most 1 - 6e-8).");
        if (!(Epsilon > 0) || !float.IsFinite((float)Epsilon) || !((float)Epsilon > 0))
            throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, $"Epsilon must be finite and > 0 in float32, i.e. in [{float.Epsilon}, {float.MaxValue}].");
        if (!(WeightDecay >= 0) || !float.IsFinite((float)WeightDecay))
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, $"WeightDecay must be finite and >= 0 in float32, i.e. in [0, {float.MaxValue}].");
    }
}
