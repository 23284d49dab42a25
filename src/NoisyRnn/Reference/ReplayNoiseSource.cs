using NoisyRnn.Noise;

namespace NoisyRnn.Reference;

/// <summary>
/// Replays recorded draws in order (for example the <c>noise_draws</c> of the reference fixtures), so that a
/// run reproduces another implementation's values exactly.
/// </summary>
public sealed class ReplayNoiseSource : INoiseSource
{
    private readonly float[] _draws;
    private int _position;

    /// <summary>Creates a replay stream.</summary>
    /// <param name="draws">Raw draws in the order they will be requested; finite; copied.</param>
    /// <param name="distribution">The distribution the draws came from (reported, not checked).</param>
    /// <exception cref="ArgumentException"><paramref name="draws"/> holds a NaN or infinity.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="distribution"/> is not a defined value.</exception>
    public ReplayNoiseSource(ReadOnlySpan<float> draws, NoiseDistribution distribution)
    {
        Guard.AllFinite(draws, nameof(draws));
        if (!Enum.IsDefined(distribution))
            throw new ArgumentOutOfRangeException(nameof(distribution), distribution, "distribution must be StandardNormal or Uniform01.");
        _draws = draws.ToArray();
        Distribution = distribution;
    }

    /// <inheritdoc />
    public NoiseDistribution Distribution { get; }

    /// <summary>Number of draws not yet consumed.</summary>
    public int Remaining => _draws.Length - _position;

    /// <inheritdoc />
    public void Fill(Span<float> destination)
    {
        if (destination.Length > Remaining)
            throw new InvalidOperationException($"Replay source has {Remaining} draws left; {destination.Length} were requested.");
        _draws.AsSpan(_position, destination.Length).CopyTo(destination);
        _position += destination.Length;
    }
}
