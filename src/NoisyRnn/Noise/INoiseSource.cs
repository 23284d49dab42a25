namespace NoisyRnn.Noise;

/// <summary>
/// A stream of raw noise draws. Models scale the draws by a per-step standard deviation and add them to
/// inputs, hidden states or outputs (Langevin noise injection). Each stream owns its own generator, so results
/// for a seed are reproducible and independent of thread count.
/// </summary>
public interface INoiseSource
{
    /// <summary>The distribution of the raw draws.</summary>
    NoiseDistribution Distribution { get; }

    /// <summary>Fills <paramref name="destination"/> with the next raw draws of the stream, in order.</summary>
    /// <param name="destination">Buffer to overwrite; any length, including 0.</param>
    /// <exception cref="InvalidOperationException">A replay source has fewer draws left than requested.</exception>
    void Fill(Span<float> destination);

    /// <summary>
    /// Fills <paramref name="destination"/>, viewed as consecutive rows of <paramref name="rowLength"/> draws (one row per
    /// trajectory of a [batch, time, hidden] noise tensor), with the next draws of the stream. A source may give every
    /// row its own substream derived from the stream and draw the rows on several cores; the values then differ from
    /// <see cref="Fill"/>'s but are the same for a given stream state and row length whatever the thread count.
    /// The default implementation is <see cref="Fill"/>.
    /// </summary>
    /// <param name="destination">Buffer to overwrite; its length a multiple of <paramref name="rowLength"/>.</param>
    /// <param name="rowLength">Draws per row; &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rowLength"/> is not positive.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="destination"/> is not a multiple of <paramref name="rowLength"/>.</exception>
    /// <exception cref="InvalidOperationException">A replay source has fewer draws left than requested.</exception>
    void FillRows(Span<float> destination, int rowLength)
    {
        INoiseSourceChecks.CheckRows(destination.Length, rowLength);
        Fill(destination);
    }
}

/// <summary>Argument checks shared by the implementations of <see cref="INoiseSource.FillRows"/>.</summary>
internal static class INoiseSourceChecks
{
    public static void CheckRows(int length, int rowLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rowLength);
        if (length % rowLength != 0)
            throw new ArgumentException($"destination (length {length}) must hold whole rows of rowLength = {rowLength}.", "destination");
    }
}
