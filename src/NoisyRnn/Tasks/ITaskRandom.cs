namespace NoisyRnn.Tasks;

/// <summary>
/// The random stream of a task generator (trajectory starts, turns, speeds). Randomness is always injected
/// (DESIGN.md convention 7): a generator never owns a static or shared stream. The calls a generator makes, in
/// order, are part of its contract, so that a recorded stream (<see cref="Reference.ReplayTaskRandom"/>) reproduces the
/// reference implementation's outputs.
/// </summary>
public interface ITaskRandom
{
    /// <summary>Fills <paramref name="destination"/> with independent draws from U[low, high).</summary>
    /// <param name="low">Lower bound (inclusive); finite.</param>
    /// <param name="high">Upper bound (exclusive); finite and &gt;= <paramref name="low"/>.</param>
    /// <param name="destination">Receives one draw per element, in row-major order of the requested shape.</param>
    void Uniform(double low, double high, Span<double> destination);

    /// <summary>Fills <paramref name="destination"/> with independent draws from N(mean, std^2).</summary>
    /// <param name="mean">Mean; finite.</param>
    /// <param name="std">Standard deviation; finite and &gt;= 0.</param>
    /// <param name="destination">Receives one draw per element, in row-major order of the requested shape.</param>
    void Normal(double mean, double std, Span<double> destination);

    /// <summary>Fills <paramref name="destination"/> with independent Rayleigh draws of the given scale (mean = scale * sqrt(pi / 2)).</summary>
    /// <param name="scale">Scale (the mode of the distribution); finite and &gt;= 0.</param>
    /// <param name="destination">Receives one draw per element, in row-major order of the requested shape.</param>
    void Rayleigh(double scale, Span<double> destination);
}
