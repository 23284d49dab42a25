namespace NoisyRnn.Noise;

/// <summary>The recurrent noise of a quiescent run: a mode and, for <see cref="QuiescentNoiseMode.Absolute"/>, a value.</summary>
public readonly record struct QuiescentNoise
{
    private QuiescentNoise(QuiescentNoiseMode mode, float value)
    {
        Mode = mode;
        Value = value;
    }

    /// <summary>How the std is chosen.</summary>
    public QuiescentNoiseMode Mode { get; }

    /// <summary>The per-step std for <see cref="QuiescentNoiseMode.Absolute"/>; 0 otherwise.</summary>
    public float Value { get; }

    /// <summary>sqrt(2) times the training std (samples p).</summary>
    public static QuiescentNoise Scaled => new(QuiescentNoiseMode.Scaled, 0f);

    /// <summary>The training std (samples p^2).</summary>
    public static QuiescentNoise Same => new(QuiescentNoiseMode.Same, 0f);

    /// <summary>A fixed per-step std.</summary>
    /// <param name="std">Per-step std; finite and &gt;= 0.</param>
    /// <returns>The absolute setting.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="std"/> is negative or not finite.</exception>
    public static QuiescentNoise Absolute(float std)
    {
        Guard.NonNegative(std);
        return new(QuiescentNoiseMode.Absolute, std);
    }

    /// <summary>The per-step std this setting gives for a network trained with recurrent std <paramref name="trainingStd"/>.</summary>
    /// <param name="trainingStd">Per-step recurrent std used in training; finite and &gt;= 0.</param>
    /// <returns>sqrt(2)*trainingStd, trainingStd or the absolute value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="trainingStd"/> is negative or not finite.</exception>
    public float Resolve(float trainingStd)
    {
        Guard.NonNegative(trainingStd);
        return Mode switch
        {
            QuiescentNoiseMode.Scaled => MathF.Sqrt(2f) * trainingStd,
            QuiescentNoiseMode.Same => trainingStd,
            _ => Value,
        };
    }

    /// <summary>Short name used in reports: "scaled", "same" or "absolute".</summary>
    /// <returns>The lower-case mode name.</returns>
    public override string ToString() => Mode.ToString().ToLowerInvariant();
}
