using BenchmarkDotNet.Attributes;
using NoisyRnn.Analysis;
using NoisyRnn.Kernels;

namespace NoisyRnn.Benchmarks.Analysis;

/// <summary>
/// KL(quiescent || active) at the paper's sizes: Gaussian KDEs (Scott's rule) of 20,000 active and 200,000
/// quiescent 2-D positions inside a 2.2 m box, then a 2,500-sample Monte Carlo estimate. Building both KDEs is
/// part of the measured work, as it is in every reactivation run.
/// </summary>
[MemoryDiagnoser]
public class KlBenchmarks
{
    private const double Box = 2.2;
    private double[] _active = null!, _quiescent = null!, _quiescentWeights = null!;

    /// <summary>Draws both point clouds from seeded Gaussian mixtures clipped to the box and prints the ISA tier.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _active = MixtureInBox(20_000, seed: 1);
        _quiescent = MixtureInBox(200_000, seed: 2);
        var rng = new Random(3);
        _quiescentWeights = new double[200_000];
        for (int i = 0; i < _quiescentWeights.Length; i++) _quiescentWeights[i] = 0.5 + 1.5 * rng.NextDouble();
        Console.WriteLine($"// ISA tier: {Isa.Tier}");
    }

    /// <summary>Both KDE builds plus the Monte Carlo KL with 2,500 samples; returns the estimate.</summary>
    [Benchmark]
    public double KdeAndMonteCarloKl()
    {
        var active = new GaussianKde(_active, 2);
        var quiescent = new GaussianKde(_quiescent, 2);
        return KlDivergence.MonteCarlo(quiescent, active, KlDivergence.DefaultSamples, 7UL).Value;
    }

    /// <summary>The same with weights in [0.5, 2) on the quiescent points: the cost of the weight offsets (one more
    /// vector load per block of kernels) and of weighted resampling (a binary search per draw).</summary>
    [Benchmark]
    public double WeightedKdeAndMonteCarloKl()
    {
        var active = new GaussianKde(_active, 2);
        var quiescent = new GaussianKde(_quiescent, 2, _quiescentWeights);
        return KlDivergence.MonteCarlo(quiescent, active, KlDivergence.DefaultSamples, 7UL).Value;
    }

    // Four Gaussian bumps (std 0.25 m) at fixed centres, each point clipped into [0, Box]^2.
    internal static double[] MixtureInBox(int n, int seed)
    {
        ReadOnlySpan<double> centres = [0.5, 0.5, 1.7, 0.6, 0.8, 1.6, 1.5, 1.5];
        var rng = new Random(seed);
        var points = new double[2 * n];
        for (int i = 0; i < n; i++)
        {
            int c = rng.Next(4);
            for (int k = 0; k < 2; k++)
            {
                double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
                double z = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
                points[2 * i + k] = Math.Clamp(centres[2 * c + k] + 0.25 * z, 0.0, Box);
            }
        }
        return points;
    }
}

/// <summary>PCA of a 100,000 x 512 float matrix (the size of the paper's hidden-state analysis).</summary>
[MemoryDiagnoser]
public class PcaBenchmarks
{
    private const int Count = 100_000, Dims = 512;
    private float[] _data = null!;

    /// <summary>Fills the matrix with seeded values of decaying scale per column and prints the ISA tier.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(3);
        _data = new float[Count * Dims];
        for (int i = 0; i < Count; i++)
        {
            for (int j = 0; j < Dims; j++)
            {
                _data[i * Dims + j] = (float)((rng.NextDouble() - 0.5) / (1.0 + 0.05 * j));
            }
        }
        Console.WriteLine($"// ISA tier: {Isa.Tier}");
    }

    /// <summary>Covariance plus eigendecomposition; returns the leading explained-variance ratio.</summary>
    [Benchmark]
    public double Fit() => Pca.Fit(_data, Count, Dims).ExplainedVarianceRatio[0];
}
