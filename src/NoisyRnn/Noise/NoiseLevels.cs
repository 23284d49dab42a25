namespace NoisyRnn.Noise;

/// <summary>
/// Per-step noise standard deviations of a noisy RNN (THEORY.md, "Noisy dynamics"). The library's public
/// parameter is the per-step std s = sigma * sqrt(dt); the reference code calls these <c>sigma_in</c>,
/// <c>sqrt(sigma2_rec)</c> and <c>sigma_out</c>.
/// </summary>
public sealed record NoiseLevels
{
    /// <summary>Creates noise levels; all must be finite and &gt;= 0.</summary>
    /// <param name="inputStd">Std of the noise added to each input element per step (reference <c>sigma_in</c>).</param>
    /// <param name="recurrentStd">Std of the noise added to each hidden unit per step (reference <c>sqrt(sigma2_rec)</c>).</param>
    /// <param name="outputStd">Std of the noise added to each readout element (reference <c>sigma_out</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is negative, NaN or infinite.</exception>
    public NoiseLevels(float inputStd, float recurrentStd, float outputStd)
    {
        Guard.NonNegative(inputStd);
        Guard.NonNegative(recurrentStd);
        Guard.NonNegative(outputStd);
        InputStd = inputStd;
        RecurrentStd = recurrentStd;
        OutputStd = outputStd;
    }

    /// <summary>No noise anywhere (a noise-free network).</summary>
    public static NoiseLevels None { get; } = new(0f, 0f, 0f);

    /// <summary>Only recurrent noise, the paper's setting for the trained networks.</summary>
    /// <param name="recurrentStd">Per-step std, finite and &gt;= 0 (the paper's spatial task: sqrt(1e-4) = 0.01).</param>
    /// <returns>Noise levels with zero input and output noise.</returns>
    public static NoiseLevels Recurrent(float recurrentStd) => new(0f, recurrentStd, 0f);

    /// <summary>Per-step std of the input noise.</summary>
    public float InputStd { get; }

    /// <summary>Per-step std of the recurrent (hidden-state) noise.</summary>
    public float RecurrentStd { get; }

    /// <summary>Per-step std of the readout noise.</summary>
    public float OutputStd { get; }
}
