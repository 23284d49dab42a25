using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Tasks;
using NoisyRnn.Training;

namespace NoisyRnn.Tests.Training;

/// <summary>Tests that nothing else may run beside: allocation measurements read a process-wide counter, and some tests
/// set process-wide switches that change result bits (<see cref="NoisyRnn.Models.VanillaBackwardRecurrence.MaxFusedInputs"/>),
/// which an in-process CLI run beside them would pick up.</summary>
[CollectionDefinition(nameof(AllocationMeasurements), DisableParallelization = true)]
public sealed class AllocationMeasurements;

[Collection(nameof(AllocationMeasurements))]
public class TrainerStepAllocationTests
{
    // Per step, outside the model: a SeededTaskRandom (~50 B), three noise sources and their record (~0.7 KB) and the
    // work items Parallel.For allocates inside the place-cell / HD-cell encoding (~1-3 KB). Batch arrays, draw scratch
    // and Box-Muller blocks are reused. 16 KB leaves room for runtime noise (tiered JIT, thread-pool growth) while still
    // catching any per-step buffer: the smallest buffer the step could allocate (the [batch, time] draws) is 20 KB.
    private const long BytesPerStepBound = 16 * 1024;

    private const int Batch = 64, Time = 40, Cells = 128, Hidden = 32;

    public static TheoryData<string> Tasks => new() { "spatial", "head-direction" };

    private static IPathIntegrationTask CreateTask(string kind) => kind == "spatial"
        ? new SpatialNavigationTask(new SpatialNavigationOptions { SequenceLength = Time }, PlaceCells.CreateRandom(Cells, 0.2, 2.2, 2.2, 1))
        : new HeadDirectionTask(new HeadDirectionOptions { SequenceLength = Time }, new HeadDirectionCells(Cells, Math.PI / 6));

    [Theory]
    [MemberData(nameof(Tasks))]
    public void TaskNoiseLossAndAdamOfAStepAllocateAlmostNothingAfterWarmup(string kind)
    {
        // The calls PathIntegrationTrainer makes around Forward/Backward, at sizes where the encoding runs in parallel
        // (Batch * Time * Cells = 327,680 > the encoders' parallel threshold).
        var task = CreateTask(kind);
        var data = task.AllocateBatch(Batch);
        var outputs = new float[Batch * Time * Cells];
        var gradient = new float[outputs.Length];
        var recurrentDraws = new float[Batch * Time * Hidden];
        var parameters = new float[4096];
        var parameterGradient = new float[parameters.Length];
        Array.Fill(parameterGradient, 1e-3f);
        var adam = new Adam(new AdamOptions(), parameters.Length);

        void Step(int step)
        {
            task.NextBatch(new SeededTaskRandom((ulong)step), data);
            var streams = NoiseStreams.FromSeed((ulong)step);
            streams.Recurrent.Fill(recurrentDraws);
            MseLoss.Compute(outputs, data.Targets, gradient);
            adam.Step(parameters, parameterGradient);
        }

        for (int step = 0; step < 3; step++) Step(step); // warm-up: pools, per-thread scratch, JIT
        // The least of three rounds: a per-step allocation shows in every round, the runtime's one-off allocations (tier-up,
        // thread-pool growth on a loaded machine) do not repeat.
        const int Measured = 10;
        long perStep = long.MaxValue;
        for (int round = 0, step = 3; round < 3; round++)
        {
            long before = GC.GetTotalAllocatedBytes(true);
            for (int i = 0; i < Measured; i++) Step(step++);
            perStep = Math.Min(perStep, (GC.GetTotalAllocatedBytes(true) - before) / Measured);
        }
        Assert.True(perStep <= BytesPerStepBound, $"{kind}: {perStep} bytes per step outside the model; bound {BytesPerStepBound}");
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public void OverlappedDataGenerationGivesBitIdenticalTraining(string kind)
    {
        float[] Train(bool overlap)
        {
            var task = CreateTask(kind);
            var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(task.InputSize, 16, Cells, Cells, Dt: 0.5f), 4);
            var options = new TrainingOptions
            {
                Steps = 7, BatchSize = 8, TestBatchSize = 4, EvaluateEvery = 3, CheckpointEvery = 0, Seed = 11,
                Noise = NoiseLevels.Recurrent(0.05f), Adam = new AdamOptions { LearningRate = 1e-2 }, OverlapDataGeneration = overlap,
            };
            var result = new PathIntegrationTrainer(model, task, options).Train();
            Assert.Equal(3, result.Evaluations.Count);
            return model.Parameters.Values;
        }

        Assert.Equal(Train(false), Train(true));
    }

    [Fact]
    public void OverlappedTrainingStopsCleanlyWhenCancelled()
    {
        var task = CreateTask("spatial");
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 8, Cells, Cells), 4);
        var options = new TrainingOptions { Steps = 50, BatchSize = 4, TestBatchSize = 4, CheckpointEvery = 0, OverlapDataGeneration = true };
        using var cancel = new CancellationTokenSource();
        var trainer = new PathIntegrationTrainer(model, task, options);
        var progress = new CancelAt(3, cancel);
        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Train(progress, cancellationToken: cancel.Token));
        Assert.Equal(3, progress.Seen);
    }

    private sealed class CancelAt(int step, CancellationTokenSource cancel) : IProgress<TrainingProgress>
    {
        public int Seen { get; private set; }

        public void Report(TrainingProgress value)
        {
            Seen = value.Step;
            if (value.Step == step) cancel.Cancel();
        }
    }
}
