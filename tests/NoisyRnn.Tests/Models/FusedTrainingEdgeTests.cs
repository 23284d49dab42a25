using NoisyRnn.Kernels;
using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Tasks;
using NoisyRnn.Training;

namespace NoisyRnn.Tests.Models;

/// <summary>
/// Edge cases of the fused training pass (ForwardBackwardMse) that the main parity tests do not reach: shapes where the
/// fused pass must step aside for the separate calls, bad target sources, and the defaults of the interfaces.
/// </summary>
public class FusedTrainingEdgeTests
{
    /// <summary>
    /// The fused readout multiplies blocks of up to 256 rows; the separate calls multiply all batch·time rows at once. A
    /// product 4096 or more deep (the readout over hidden, or dL/dh = dY·W over outputs) is cut into depth pieces only when
    /// its partials fit a budget that grows with the row count, so a block can be cut while the whole product is not: other
    /// summation order, other bits. At 4096 rows x 400 hidden x 5000 outputs the fused dL/dh and gradient differed from the
    /// separate calls in the last bits (measured end to end; too slow for a unit test), so such shapes must not take the
    /// fused path. Here: whenever the fused path applies, every block size cuts both products like all rows do.
    /// </summary>
    [Theory]
    [InlineData(4096, 400, 5000)]
    [InlineData(4096, 400, 4097)]
    [InlineData(4097, 48, 4096)]
    [InlineData(4096, 4097, 400)]
    [InlineData(6144, 300, 4096)]
    [InlineData(4096, 64, 512)]
    [InlineData(20000, 512, 512)]
    [InlineData(4097, 1, 1)]
    public void TheFusedPathAppliesOnlyWhereBlocksAreCutLikeAllRows(int rows, int hidden, int outputs)
    {
        if (!MseReadout.Applies(rows, hidden, outputs, IsaTier.Vector512)) return;
        int lastBlock = rows % MseReadout.BlockRows == 0 ? MseReadout.BlockRows : rows % MseReadout.BlockRows;
        foreach (int m in new[] { 1, lastBlock, MseReadout.BlockRows })
        {
            Assert.Equal(Gemm.Chunks(rows, outputs, hidden), Gemm.Chunks(m, outputs, hidden)); // y = H·Wᵀ
            Assert.Equal(Gemm.Chunks(rows, hidden, outputs), Gemm.Chunks(m, hidden, outputs)); // dL/dh = dY·W
        }
    }

    [Fact]
    public void WideOutputsCutDifferentlyTakeTheSeparatePath()
    {
        Assert.False(MseReadout.Applies(4096, 400, 5000, IsaTier.Vector512));
        Assert.False(MseReadout.Applies(4096, 400, 4097, IsaTier.Vector512));
        // Still fused where the cuts agree (4097 x 48 x 4096 gave the separate bits end to end).
        Assert.True(MseReadout.Applies(4097, 48, 4096, IsaTier.Vector512));
        Assert.True(MseReadout.Applies(20000, 512, 512, IsaTier.Vector512));
    }

    private static float[] Values(int n, int seed, float scale, float offset = -0.5f)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(rng.NextDouble() + offset) * scale;
        return x;
    }

    [Fact]
    public void TheInterfaceDefaultRefusesAGradientOfAnotherLayoutEvenWhenTheLossDiverges()
    {
        var inner = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 8, 4, 4), 7);
        inner.Parameters[VanillaRnn.OutputWeight].Fill(1e30f); // the readout overflows: the loss is not finite
        IRecurrentNetwork model = new DelegatingNetwork(inner);
        var wrong = new ParameterSet([("w", new[] { 3 })]);
        float[] x = Values(3 * 10 * 2, 1, 1f), s = Values(3 * 4, 2, 1f, 0f), t = Values(3 * 10 * 4, 3, 1f, 0f);
        RecurrentTape tape = model.CreateTape(3, 10);
        Assert.Equal("gradient", Assert.Throws<ArgumentException>(() =>
            model.ForwardBackwardMse(x, s, t, NoiseLevels.None, NoiseStreams.FromSeed(1), tape, wrong)).ParamName);
        Assert.False(tape.HasForward); // refused before running
        // The library's own models refuse it the same way.
        Assert.Equal("gradient", Assert.Throws<ArgumentException>(() =>
            ((IRecurrentNetwork)inner).ForwardBackwardMse(x, s, t, NoiseLevels.None, NoiseStreams.FromSeed(1), tape, wrong)).ParamName);
    }

    [Fact]
    public void TheDefaultTargetRowsOfAUserBatchCheckRowsAndDestination()
    {
        var task = new SpatialNavigationTask(new SpatialNavigationOptions { SequenceLength = 10 }, PlaceCells.CreateRandom(16, 0.12, 2.2, 2.2, 3));
        SpatialNavigationBatch inner = task.NextBatch(3, new SeededTaskRandom(1));
        ITargetRows rows = ((IPathIntegrationBatch)new UserBatch(inner, inner.Targets)).TargetRows;
        Assert.Equal(30, rows.RowCount);
        Assert.Equal(16, rows.Width);
        // As the library's batches: rows outside [0, RowCount) name firstRow, a destination of another length names destination.
        Assert.Equal("firstRow", Assert.Throws<ArgumentOutOfRangeException>(() => rows.WriteRows(-1, 2, new float[32])).ParamName);
        Assert.Equal("firstRow", Assert.Throws<ArgumentOutOfRangeException>(() => rows.WriteRows(29, 2, new float[32])).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => rows.WriteRows(0, 2, new float[33])).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => inner.TargetRows.WriteRows(0, 2, new float[33])).ParamName);
        var copy = new float[32];
        rows.WriteRows(28, 2, copy);
        Assert.Equal(inner.Targets.AsSpan(28 * 16, 32).ToArray(), copy);
    }

    [Fact]
    public void TargetsOfTheWrongLengthAreRefusedThroughTheDefaultTargetRowsAsThroughTheArray()
    {
        var task = new SpatialNavigationTask(new SpatialNavigationOptions { SequenceLength = 10 }, PlaceCells.CreateRandom(16, 0.12, 2.2, 2.2, 3));
        SpatialNavigationBatch inner = task.NextBatch(3, new SeededTaskRandom(1));
        float[] longer = [.. inner.Targets, 0.5f]; // one value too many: not [batch, time, output]
        IPathIntegrationBatch batch = new UserBatch(inner, longer);
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 8, 16, 16), 7);
        Assert.Equal("targets", Assert.Throws<ArgumentException>(() => model.ForwardBackwardMse(batch.Inputs, batch.InitialState, batch.Targets,
            NoiseLevels.None, NoiseStreams.FromSeed(1), model.CreateTape(3, 10), model.Parameters.CloneEmpty())).ParamName);
        Assert.Equal("targets", Assert.Throws<ArgumentException>(() => model.ForwardBackwardMse(batch.Inputs, batch.InitialState, batch.TargetRows,
            NoiseLevels.None, NoiseStreams.FromSeed(1), model.CreateTape(3, 10), model.Parameters.CloneEmpty())).ParamName);
    }

    /// <summary>A task that implements only the required members: NextBatch(random, destination, encodeTargets) is the
    /// interface default, which always encodes.</summary>
    private sealed class UserTask(IPathIntegrationTask inner) : IPathIntegrationTask
    {
        public int InputSize => inner.InputSize;
        public int OutputSize => inner.OutputSize;
        public int SequenceLength => inner.SequenceLength;
        public int DecodedSize => inner.DecodedSize;
        public bool IsCircular => inner.IsCircular;
        public string CoordinateUnit => inner.CoordinateUnit;
        public IPathIntegrationBatch AllocateBatch(int batchSize) => new UserBatch(inner.AllocateBatch(batchSize), null);
        public void NextBatch(ITaskRandom random, IPathIntegrationBatch destination) => inner.NextBatch(random, ((UserBatch)destination).Inner);
        public void Decode(ReadOnlySpan<float> outputs, Span<float> decoded) => inner.Decode(outputs, decoded);
        public (double MeanError, double MeanSquaredError) DecodingErrors(ReadOnlySpan<float> decoded, ReadOnlySpan<float> truth) =>
            inner.DecodingErrors(decoded, truth);
    }

    [Fact]
    public void TheTrainersDeferredFusedStepsGiveTheBitsOfUserDefaultsAndOfAResumedRun()
    {
        // 41 x 100 rows: fused readout with targets encoded row group by row group, against a user task and network whose
        // interface defaults encode eagerly and make the three separate calls; and a run resumed from its checkpoint.
        IPathIntegrationTask task = new HeadDirectionTask(new HeadDirectionOptions { SequenceLength = 100 }, new HeadDirectionCells(32, Math.PI / 6));
        VanillaRnn Make() => VanillaRnn.CreateInitialized(new VanillaRnnOptions(1, 24, 32, 32, Dt: 0.5f, UseBias: true), 3);
        var options = new TrainingOptions
        {
            Steps = 4, BatchSize = 41, TestBatchSize = 5, EvaluateEvery = 2, CheckpointEvery = 2, Seed = 11,
            Noise = new NoiseLevels(0.01f, 0.05f, 0.01f), OverlapDataGeneration = true,
        };
        Assert.True(Isa.Tier == IsaTier.Scalar || MseReadout.Applies(41 * 100, 24, 32, Isa.Tier));
        VanillaRnn fused = Make(), separate = Make(), resumed = Make();
        double loss = new PathIntegrationTrainer(fused, task, options).Train().FinalLoss;
        Assert.Equal(loss, new PathIntegrationTrainer(new DelegatingNetwork(separate), new UserTask(task), options).Train().FinalLoss);
        Assert.Equal(separate.Parameters.Values, fused.Parameters.Values);
        string path = Path.Combine(Path.GetTempPath(), $"fused-edge-{Guid.NewGuid():N}.ckpt");
        try
        {
            new PathIntegrationTrainer(Make(), task, options with { Steps = 2 }).Train(checkpointPath: path);
            Assert.Equal(loss, new PathIntegrationTrainer(resumed, task, options).Train(checkpointPath: path, resume: true).FinalLoss);
            Assert.Equal(fused.Parameters.Values, resumed.Parameters.Values);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A user batch that implements only the required members (TargetRows is the interface default).</summary>
    private sealed class UserBatch(IPathIntegrationBatch inner, float[]? targets) : IPathIntegrationBatch
    {
        public IPathIntegrationBatch Inner => inner;
        public int BatchSize => inner.BatchSize;
        public int TimeSteps => inner.TimeSteps;
        public float[] Inputs => inner.Inputs;
        public float[] InitialState => inner.InitialState;
        public float[] Targets => targets ?? inner.Targets;
        public float[] Coordinates => inner.Coordinates;
    }

    /// <summary>An IRecurrentNetwork that forwards every member but ForwardBackwardMse, so the interface defaults run.</summary>
    private sealed class DelegatingNetwork(IRecurrentNetwork inner) : IRecurrentNetwork
    {
        public string Kind => inner.Kind;
        public IRecurrentNetworkOptions NetworkOptions => inner.NetworkOptions;
        public ParameterSet Parameters => inner.Parameters;
        public RecurrentTape CreateTape(int batch, int time) => inner.CreateTape(batch, time);
        public void Forward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> initState, NoiseLevels noise, NoiseStreams streams, RecurrentTape tape) =>
            inner.Forward(inputs, initState, noise, streams, tape);
        public void Backward(RecurrentTape tape, ReadOnlySpan<float> outputGradient, ParameterSet gradient) => inner.Backward(tape, outputGradient, gradient);
        public void Encode(ReadOnlySpan<float> initState, int batch, Span<float> hidden) => inner.Encode(initState, batch, hidden);
        public void Simulate(ReadOnlySpan<float> initialHidden, ReadOnlySpan<float> inputs, int batch, int time, float recurrentStd,
            INoiseSource recurrentNoise, Span<float> hidden, Span<float> outputs) =>
            inner.Simulate(initialHidden, inputs, batch, time, recurrentStd, recurrentNoise, hidden, outputs);
    }
}
