using BenchmarkDotNet.Attributes;
using NoisyRnn.Kernels;
using NoisyRnn.Noise;
using NoisyRnn.Tasks;

namespace NoisyRnn.Benchmarks.Tasks;

/// <summary>
/// What one paper-size training step generates besides the network's work: a spatial batch (200 trajectories x 100
/// steps, the place-cell code of 512 cells for the targets and the initial state), a head-direction batch (512 HD
/// cells), and the recurrent noise of the spatial step (200 x 100 x 512 = 10.24 million Gaussian draws), with a
/// scalar Box-Muller baseline (one xoshiro256** stream, Math.Log and Math.SinCos per pair) for the noise.
/// </summary>
[MemoryDiagnoser]
public class DataGenerationBenchmarks
{
    private const int Batch = 200, Time = 100, Cells = 512, Hidden = 512;
    private IPathIntegrationTask _spatial = null!;
    private IPathIntegrationTask _headDirection = null!;
    private IPathIntegrationBatch _spatialBatch = null!, _headDirectionBatch = null!;
    private float[] _noise = null!;
    private ulong _seed;

    /// <summary>Builds the tasks and buffers.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var options = new SpatialNavigationOptions { SequenceLength = Time };
        _spatial = new SpatialNavigationTask(options, PlaceCells.CreateRandom(Cells, 0.2, options.BoxWidth, options.BoxHeight, 1));
        _headDirection = new HeadDirectionTask(new HeadDirectionOptions { SequenceLength = Time }, new HeadDirectionCells(Cells, Math.PI / 6));
        _spatialBatch = _spatial.AllocateBatch(Batch);
        _headDirectionBatch = _headDirection.AllocateBatch(Batch);
        _noise = new float[Batch * Time * Hidden];
        Console.WriteLine($"// ISA tier: {Isa.Tier}, processors: {Environment.ProcessorCount}");
    }

    /// <summary>One spatial batch: trajectories, place-cell targets and initial state.</summary>
    [Benchmark]
    public float SpatialBatch()
    {
        _spatial.NextBatch(new SeededTaskRandom(++_seed), _spatialBatch);
        return _spatialBatch.Targets[^1];
    }

    /// <summary>One head-direction batch: headings, HD-cell targets and initial state.</summary>
    [Benchmark]
    public float HeadDirectionBatch()
    {
        _headDirection.NextBatch(new SeededTaskRandom(++_seed), _headDirectionBatch);
        return _headDirectionBatch.Targets[^1];
    }

    /// <summary>The recurrent noise of one spatial step with the library's generator, one stream on one core.</summary>
    [Benchmark]
    public float RecurrentNoise()
    {
        new GaussianNoiseSource(++_seed).Fill(_noise);
        return _noise[^1];
    }

    /// <summary>The same draws as the forward pass makes them: one substream per trajectory (200 rows of 100 x 512), all cores.</summary>
    [Benchmark]
    public float RecurrentNoiseRows()
    {
        new GaussianNoiseSource(++_seed).FillRows(_noise, _noise.Length / 200);
        return _noise[^1];
    }

    /// <summary>The same number of draws, scalar: one generator, Math.Log, Math.Sqrt and Math.SinCos per pair.</summary>
    [Benchmark(Baseline = true)]
    public float RecurrentNoiseScalar()
    {
        var rng = new Xoshiro256(++_seed);
        float[] d = _noise;
        for (int i = 0; i + 1 < d.Length; i += 2)
        {
            ulong bits = rng.NextUInt64();
            float u1 = ((bits >> 40) + 1) * (1.0f / 16777216.0f);
            float theta = ((bits >> 8) & 0xFFFFFF) * (MathF.Tau / 16777216.0f);
            float r = MathF.Sqrt(-2f * MathF.Log(u1));
            (float sin, float cos) = MathF.SinCos(theta);
            d[i] = r * cos;
            d[i + 1] = r * sin;
        }
        return d[^1];
    }
}
