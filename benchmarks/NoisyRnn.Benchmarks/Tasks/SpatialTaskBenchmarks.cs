using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using NoisyRnn.Tasks;

namespace NoisyRnn.Benchmarks.Tasks;

/// <summary>
/// Place-code encoding at the paper's batch (200 x 100 positions, 512 cells, plus a 515-cell size that leaves a
/// vector tail) against its scalar twin, and trajectory generation of one 200 x 100 batch.
/// </summary>
[MemoryDiagnoser]
public class SpatialTaskBenchmarks
{
    private PlaceCells _cells = null!;
    private float[] _positions = null!;
    private float[] _activations = null!;
    private SpatialTrajectoryGenerator _generator = null!;
    private SpatialTrajectoryBatch _batch = null!;
    private SeededTaskRandom _random = null!;

    /// <summary>Number of place cells.</summary>
    [Params(512, 515)]
    public int Cells { get; set; }

    /// <summary>Builds the inputs and prints the ISA tier.</summary>
    [GlobalSetup]
    public void Setup()
    {
        Console.WriteLine($"// ISA: Vector512 {Vector512.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, Vector128 {Vector128.IsHardwareAccelerated}");
        _cells = PlaceCells.CreateRandom(Cells, 0.2, 2.2, 2.2, 1UL);
        _generator = new SpatialTrajectoryGenerator(new SpatialNavigationOptions());
        _random = new SeededTaskRandom(2);
        _batch = _generator.Generate(200, _random);
        _positions = _batch.Positions;
        _activations = new float[_positions.Length / 2 * Cells];
    }

    /// <summary>Scalar, single-threaded encoding (the test oracle).</summary>
    [Benchmark(Baseline = true)]
    public float EncodeScalar()
    {
        _cells.EncodeScalar(_positions, _activations);
        return _activations[^1];
    }

    /// <summary>Vectorised, parallel encoding.</summary>
    [Benchmark]
    public float Encode()
    {
        _cells.Encode(_positions, _activations);
        return _activations[^1];
    }

    /// <summary>One 200 x 100 trajectory batch (float64 simulation, float32 outputs).</summary>
    [Benchmark]
    public float Generate()
    {
        _generator.Generate(_random, _batch);
        return _batch.Positions[^1];
    }
}
