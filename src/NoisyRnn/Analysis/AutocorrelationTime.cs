using System.Numerics;
using MathNet.Numerics.IntegralTransforms;

namespace NoisyRnn.Analysis;

/// <summary>
/// Integrated autocorrelation time of Markov chain output (Sokal, "Monte Carlo methods in statistical mechanics", 1997,
/// §3; Madras &amp; Sokal, J. Stat. Phys. 1988), as emcee computes it (Foreman-Mackey et al. 2013, <c>autocorr.integrated_time</c>):
/// each chain's autocorrelation function is computed by FFT with its own mean removed and normalised to ρ(0) = 1, the
/// functions are averaged over chains, and τ̂(W) = 1 + 2 Σ_{t=1}^{W} ρ̂(t) is read at the smallest window
/// W ≥ c·max(τ̂(W), 1). The max with 1 is ours: Sokal's condition W ≥ c·τ̂(W) closes at W = 1 for a negatively
/// correlated series (τ̂(1) ≤ 0); with it such a series is summed over at least c lags. The window suits
/// monotonically decaying autocorrelations: for oscillating ones (underdamped chains with M ≳ 0.9) it closes within the
/// first oscillation and τ̂ is biased low.
/// </summary>
public static class AutocorrelationTime
{
    /// <summary>Sokal's window constant c: 5 is his recommendation for roughly exponential autocorrelations (emcee's default).</summary>
    public const double DefaultWindowFactor = 5;

    /// <summary>Estimates τ of a scalar series observed in several independent chains of equal length.</summary>
    /// <param name="series">Values, [chains, length] row-major (chain-major: one chain's steps are contiguous); finite.</param>
    /// <param name="chains">Number of chains; &gt; 0.</param>
    /// <param name="length">Steps per chain; ≥ 2; no chain may be constant.</param>
    /// <param name="windowFactor">c of the window condition W ≥ c max(τ̂(W), 1); finite and &gt; 0.</param>
    /// <returns>The estimate.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size or <paramref name="windowFactor"/> is out of range.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="series"/> is not chains · length, a value is not finite, or a chain is constant.</exception>
    public static AutocorrelationTimeEstimate Integrated(ReadOnlySpan<double> series, int chains, int length, double windowFactor = DefaultWindowFactor)
    {
        Guard.Positive(chains);
        if (length < 2) throw new ArgumentOutOfRangeException(nameof(length), length, "length must be >= 2.");
        Guard.Positive(windowFactor);
        Guard.Length(series.Length, (long)chains * length, nameof(series), $"[chains, length] = [{chains}, {length}]");
        Guard.AllFinite(series, nameof(series));
        double[] rho = MeanAutocorrelation(series, chains, length);
        double tau = 1;
        int window = length - 1;
        bool met = false;
        for (int t = 1; t < length; t++)
        {
            tau += 2 * rho[t];
            if (t >= windowFactor * Math.Max(tau, 1))
            {
                window = t;
                met = true;
                break;
            }
        }
        double stderr = Math.Abs(tau) * Math.Sqrt(2.0 * (2 * window + 1) / ((double)chains * length));
        return new AutocorrelationTimeEstimate(tau, window, stderr, met && length >= 50 * tau);
    }

    /// <summary>
    /// The autocorrelation function ρ̂(t), t = 0 .. length − 1, averaged over chains: for each chain
    /// ρ̂(t) = Σ_{i} (y_i − ȳ)(y_{i+t} − ȳ) / Σ_i (y_i − ȳ)² (the biased, positive-definite estimator), by FFT.
    /// </summary>
    /// <param name="series">Values, [chains, length] row-major; finite.</param>
    /// <param name="chains">Number of chains; &gt; 0.</param>
    /// <param name="length">Steps per chain; ≥ 2; no chain may be constant.</param>
    /// <returns>ρ̂, [length], with ρ̂(0) = 1.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range.</exception>
    /// <exception cref="ArgumentException">The length does not match, a value is not finite, or a chain is constant.</exception>
    public static double[] Function(ReadOnlySpan<double> series, int chains, int length)
    {
        Guard.Positive(chains);
        if (length < 2) throw new ArgumentOutOfRangeException(nameof(length), length, "length must be >= 2.");
        Guard.Length(series.Length, (long)chains * length, nameof(series), $"[chains, length] = [{chains}, {length}]");
        Guard.AllFinite(series, nameof(series));
        return MeanAutocorrelation(series, chains, length);
    }

    private static double[] MeanAutocorrelation(ReadOnlySpan<double> series, int chains, int length)
    {
        int n = 1;
        while (n < 2 * length) n <<= 1; // zero padding to ≥ 2·length: the circular correlation equals the linear one
        var buffer = new Complex[n];
        var mean = new double[length];
        for (int c = 0; c < chains; c++)
        {
            ReadOnlySpan<double> y = series.Slice(c * length, length);
            if (!y.ContainsAnyExcept(y[0])) throw new ArgumentException($"chain {c} of series is constant; its autocorrelation is undefined.", nameof(series));
            double m = 0;
            foreach (double v in y) m += v;
            m /= length;
            for (int i = 0; i < length; i++) buffer[i] = new Complex(y[i] - m, 0);
            Array.Clear(buffer, length, n - length);
            Fourier.Forward(buffer, FourierOptions.NoScaling);
            for (int i = 0; i < n; i++) buffer[i] = new Complex(buffer[i].Real * buffer[i].Real + buffer[i].Imaginary * buffer[i].Imaginary, 0);
            Fourier.Inverse(buffer, FourierOptions.NoScaling);
            double zero = buffer[0].Real;
            for (int t = 0; t < length; t++) mean[t] += buffer[t].Real / zero;
        }
        for (int t = 0; t < length; t++) mean[t] /= chains;
        return mean;
    }
}
