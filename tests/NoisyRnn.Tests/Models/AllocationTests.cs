using NoisyRnn.Models;
using NoisyRnn.Noise;

namespace NoisyRnn.Tests.Models;

// Not in parallel with other tests: when another test's product holds the GEMM helper thread, this thread computes
// whole products alone and grows its per-thread pack buffers once, mid-measurement (a one-time cost, not per pass).
[Collection(nameof(NoisyRnn.Tests.Training.AllocationMeasurements))]
public class AllocationTests
{
    /// <summary>Bytes a training pass may still allocate after warm-up: the argument checks format a few shape strings
    /// (about 100 bytes each); any buffer of a [batch, hidden] or larger tensor would exceed it many times.</summary>
    private const long BytesPerPassBound = 1024;

    private const int Passes = 5;

    /// <summary>Sizes large enough that the per-step recurrent products (64 x 384 x 384) are split over the GEMM helper thread.</summary>
    private const int Batch = 64, Time = 10, Hidden = 384, Outputs = 32;

    private static float[] Values(int n, int seed, float scale)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(rng.NextDouble() - 0.5) * scale;
        return x;
    }

    private static long AllocatedPerPass(IRecurrentNetwork model, int inputSize, int initSize)
    {
        RecurrentTape tape = model.CreateTape(Batch, Time);
        float[] inputs = Values(Batch * Time * inputSize, 1, 1f), init = Values(Batch * initSize, 2, 1f);
        float[] outputGradient = Values(Batch * Time * Outputs, 3, 1e-3f);
        ParameterSet gradient = model.Parameters.CloneEmpty();
        var noise = new NoiseLevels(0.01f, 0.01f, 0.01f);
        NoiseStreams streams = NoiseStreams.FromSeed(4);
        for (int i = 0; i < 2; i++) // warm-up: tapes, workspaces and helper threads are created here
        {
            model.Forward(inputs, init, noise, streams, tape);
            model.Backward(tape, outputGradient, gradient);
        }
        // Everything runs on this thread or on GEMM helpers that allocate nothing after their first product.
        return PerPass(() =>
        {
            model.Forward(inputs, init, noise, streams, tape);
            model.Backward(tape, outputGradient, gradient);
        });
    }

    /// <summary>Bytes this thread allocates per call of <paramref name="pass"/>: the least of three rounds of
    /// <see cref="Passes"/> calls. An allocation in the pass itself shows in every round; the runtime's own one-off
    /// allocations on this thread (tier-up of a method mid-round on a loaded machine) do not repeat.</summary>
    internal static long PerPass(Action pass)
    {
        long least = long.MaxValue;
        for (int round = 0; round < 3; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < Passes; i++) pass();
            least = Math.Min(least, (GC.GetAllocatedBytesForCurrentThread() - before) / Passes);
        }
        return least;
    }

    [Fact]
    public void VanillaForwardAndBackwardAllocateNothingAfterWarmUp()
    {
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, Hidden, Outputs, Outputs), 5);
        long perPass = AllocatedPerPass(model, 2, Outputs);
        Assert.True(perPass < BytesPerPassBound, $"{perPass} bytes allocated per Forward + Backward");
    }

    [Fact]
    public void GruForwardAndBackwardAllocateNothingAfterWarmUp()
    {
        var model = GruRnn.CreateInitialized(new GruRnnOptions(2, Hidden, Outputs, Outputs), 5);
        long perPass = AllocatedPerPass(model, 2, Outputs);
        Assert.True(perPass < BytesPerPassBound, $"{perPass} bytes allocated per Forward + Backward");
    }

    [Theory]
    [InlineData("vanilla")]
    [InlineData("gru")]
    public void FusedTrainingPassAllocatesNothingAfterWarmUp(string kind)
    {
        // 41 x 100 rows: the readout's weight gradient is cut into pieces, so ForwardBackwardMse takes the fused path.
        const int batch = 41, time = 100, hidden = 48, outputs = 64;
        IRecurrentNetwork model = kind == "vanilla"
            ? VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, hidden, outputs, outputs), 5)
            : GruRnn.CreateInitialized(new GruRnnOptions(2, hidden, outputs, outputs), 5);
        RecurrentTape tape = model.CreateTape(batch, time);
        float[] inputs = Values(batch * time * 2, 1, 1f), init = Values(batch * outputs, 2, 1f), targets = Values(batch * time * outputs, 3, 1f);
        ParameterSet gradient = model.Parameters.CloneEmpty();
        var noise = new NoiseLevels(0.01f, 0.01f, 0.01f);
        NoiseStreams streams = NoiseStreams.FromSeed(4);
        for (int i = 0; i < 2; i++) model.ForwardBackwardMse(inputs, init, targets, noise, streams, tape, gradient);
        Assert.Equal(NoisyRnn.Kernels.Isa.Tier == NoisyRnn.Kernels.IsaTier.Scalar, tape.HasOutputs);
        long perPass = PerPass(() => model.ForwardBackwardMse(inputs, init, targets, noise, streams, tape, gradient));
        Assert.True(perPass < BytesPerPassBound, $"{perPass} bytes allocated per ForwardBackwardMse");
    }

    [Theory]
    [InlineData("head-direction")]
    [InlineData("spatial")]
    public void FusedPassOnDeferredTargetsAllocatesNothingAfterWarmUp(string kind)
    {
        const int batch = 41, time = 100, cells = 64;
        NoisyRnn.Tasks.IPathIntegrationTask task = kind == "spatial"
            ? new NoisyRnn.Tasks.SpatialNavigationTask(new NoisyRnn.Tasks.SpatialNavigationOptions { SequenceLength = time },
                NoisyRnn.Tasks.PlaceCells.CreateRandom(cells, 0.12, 2.2, 2.2, 3))
            : new NoisyRnn.Tasks.HeadDirectionTask(new NoisyRnn.Tasks.HeadDirectionOptions { SequenceLength = time }, new NoisyRnn.Tasks.HeadDirectionCells(cells, Math.PI / 6));
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(task.InputSize, 32, cells, cells), 5);
        var data = task.AllocateBatch(batch);
        task.NextBatch(new NoisyRnn.Tasks.SeededTaskRandom(1), data, encodeTargets: false);
        VanillaTape tape = model.CreateTape(batch, time);
        ParameterSet gradient = model.Parameters.CloneEmpty();
        var noise = NoiseLevels.Recurrent(0.01f);
        NoiseStreams streams = NoiseStreams.FromSeed(4);
        for (int i = 0; i < 2; i++) model.ForwardBackwardMse(data.Inputs, data.InitialState, data.TargetRows, noise, streams, tape, gradient);
        long perPass = PerPass(() => model.ForwardBackwardMse(data.Inputs, data.InitialState, data.TargetRows, noise, streams, tape, gradient));
        Assert.True(perPass < BytesPerPassBound, $"{kind}: {perPass} bytes allocated per ForwardBackwardMse on row targets");
    }
}
