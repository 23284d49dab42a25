using NoisyRnn.Kernels;
using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Tasks;

namespace NoisyRnn.Tests.Tasks;

/// <summary>
/// Batches drawn with their targets deferred (what the trainer does) give the same target bits, whether read whole
/// through Targets or row group by row group through TargetRows inside the fused training pass; and a training pass on
/// them gives the same loss and gradient bits as one on eagerly encoded targets.
/// </summary>
public class DeferredTargetsTests
{
    public static TheoryData<string> Tasks => new() { "spatial", "spatial-dog", "head-direction" };

    private static IPathIntegrationTask CreateTask(string kind, int time = 100, int cells = 64) => kind switch
    {
        "head-direction" => new HeadDirectionTask(new HeadDirectionOptions { SequenceLength = time }, new HeadDirectionCells(cells, Math.PI / 6)),
        "spatial-dog" => new SpatialNavigationTask(new SpatialNavigationOptions { SequenceLength = time },
            PlaceCells.CreateRandom(cells, 0.12, 2.2, 2.2, 3).WithTuning(PlaceCellTuning.DifferenceOfGaussians)),
        _ => new SpatialNavigationTask(new SpatialNavigationOptions { SequenceLength = time }, PlaceCells.CreateRandom(cells, 0.12, 2.2, 2.2, 3)),
    };

    [Theory]
    [MemberData(nameof(Tasks))]
    public void DeferredTargetsHaveTheBitsOfEagerOnes(string kind)
    {
        var task = CreateTask(kind);
        IPathIntegrationBatch eager = task.AllocateBatch(9), deferred = task.AllocateBatch(9), rows = task.AllocateBatch(9);
        task.NextBatch(new SeededTaskRandom(4), eager);
        task.NextBatch(new SeededTaskRandom(4), deferred, encodeTargets: false);
        task.NextBatch(new SeededTaskRandom(4), rows, encodeTargets: false);
        Assert.Equal(eager.Inputs, deferred.Inputs);
        Assert.Equal(eager.InitialState, deferred.InitialState);

        // Row groups of uneven sizes, written out of order as the cores of the fused pass do.
        ITargetRows source = rows.TargetRows;
        Assert.Equal(9 * 100, source.RowCount);
        Assert.Equal(task.OutputSize, source.Width);
        var written = new float[eager.Targets.Length];
        int[] starts = [0, 7, 8, 300, 301, 899];
        for (int i = starts.Length - 1; i >= 0; i--)
        {
            int end = i + 1 < starts.Length ? starts[i + 1] : source.RowCount;
            source.WriteRows(starts[i], end - starts[i], written.AsSpan(starts[i] * source.Width, (end - starts[i]) * source.Width));
        }
        Assert.Equal(eager.Targets, written);
        Assert.Equal(eager.Targets, deferred.Targets); // the first read encodes the whole array
        // Once encoded, the rows are copied from the array.
        var copied = new float[eager.Targets.Length];
        deferred.TargetRows.WriteRows(0, source.RowCount, copied);
        Assert.Equal(eager.Targets, copied);
    }

    [Fact]
    public void TheEncodedFlagFollowsTheLastDraw()
    {
        var task = (HeadDirectionTask)CreateTask("head-direction");
        var batch = new HeadDirectionBatch(3, 100, 64);
        task.NextBatch(new SeededTaskRandom(1), batch, encodeTargets: false);
        Assert.False(batch.TargetsEncoded);
        _ = batch.Targets;
        Assert.True(batch.TargetsEncoded);
        task.NextBatch(new SeededTaskRandom(2), batch, encodeTargets: false);
        Assert.False(batch.TargetsEncoded);
        // An eager draw after a deferred one encodes the new headings, not the old ones.
        task.NextBatch(new SeededTaskRandom(3), batch);
        Assert.True(batch.TargetsEncoded);
        var fresh = new HeadDirectionBatch(3, 100, 64);
        task.NextBatch(new SeededTaskRandom(3), fresh);
        Assert.Equal(fresh.Targets, batch.Targets);
    }

    [Theory]
    [InlineData(-1, 2)]
    [InlineData(0, 901)]
    [InlineData(899, 2)]
    public void RowsOutsideTheBatchAreRefused(int first, int count)
    {
        var task = CreateTask("spatial");
        var batch = task.AllocateBatch(9);
        task.NextBatch(new SeededTaskRandom(1), batch, encodeTargets: false);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => batch.TargetRows.WriteRows(first, count, new float[Math.Max(0, count) * 64]));
        Assert.Equal("firstRow", e.ParamName);
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public void TheFusedPassOnRowTargetsGivesTheBitsOfTheArray(string kind)
    {
        // 41 x 100 rows: the fused readout runs (the weight gradient is cut into depth pieces).
        var task = CreateTask(kind, cells: 64);
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(task.InputSize, 32, task.OutputSize, task.OutputSize, Dt: 0.5f), 3);
        IPathIntegrationBatch eager = task.AllocateBatch(41), deferred = task.AllocateBatch(41);
        task.NextBatch(new SeededTaskRandom(6), eager);
        task.NextBatch(new SeededTaskRandom(6), deferred, encodeTargets: false);
        var noise = NoiseLevels.Recurrent(0.05f);

        ParameterSet g1 = model.Parameters.CloneEmpty(), g2 = model.Parameters.CloneEmpty();
        double l1 = model.ForwardBackwardMse(eager.Inputs, eager.InitialState, eager.Targets, noise, NoiseStreams.FromSeed(2), model.CreateTape(41, 100), g1);
        double l2 = model.ForwardBackwardMse(deferred.Inputs, deferred.InitialState, deferred.TargetRows, noise, NoiseStreams.FromSeed(2), model.CreateTape(41, 100), g2);
        Assert.True(Isa.Tier == IsaTier.Scalar || MseReadout.Applies(41 * 100, 32, task.OutputSize, Isa.Tier));
        Assert.Equal(l1, l2);
        Assert.Equal(g1.Values, g2.Values);
        Assert.False(((dynamic)deferred).TargetsEncoded); // the fused pass never filled the array
    }

    [Fact]
    public void RowTargetsOfTheWrongShapeAreAnErrorNamingTargets()
    {
        var task = CreateTask("head-direction");
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(1, 16, 64, 64), 3);
        var batch = task.AllocateBatch(5);
        task.NextBatch(new SeededTaskRandom(1), batch, encodeTargets: false);
        var e = Assert.Throws<ArgumentException>(() => model.ForwardBackwardMse(batch.Inputs, batch.InitialState, batch.TargetRows,
            NoiseLevels.None, NoiseStreams.FromSeed(1), model.CreateTape(5, 50), model.Parameters.CloneEmpty()));
        Assert.Equal("targets", e.ParamName);
    }

    [Fact]
    public void TheInterfaceDefaultsCopyTheArray()
    {
        var inner = CreateTask("spatial");
        var batch = inner.AllocateBatch(3);
        inner.NextBatch(new SeededTaskRandom(1), batch);
        IPathIntegrationBatch plain = new PlainBatch(batch);
        var rows = new float[batch.Targets.Length];
        plain.TargetRows.WriteRows(0, plain.TargetRows.RowCount, rows);
        Assert.Equal(batch.Targets, rows);
        Assert.Equal(64, plain.TargetRows.Width);
    }

    private sealed class PlainBatch(IPathIntegrationBatch inner) : IPathIntegrationBatch
    {
        public int BatchSize => inner.BatchSize;
        public int TimeSteps => inner.TimeSteps;
        public float[] Inputs => inner.Inputs;
        public float[] InitialState => inner.InitialState;
        public float[] Targets => inner.Targets;
        public float[] Coordinates => inner.Coordinates;
    }
}
