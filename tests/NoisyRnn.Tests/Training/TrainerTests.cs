using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Tasks;
using NoisyRnn.Training;

namespace NoisyRnn.Tests.Training;

public class TrainerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "noisyrnn-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    private static (VanillaRnn Model, PathIntegrationTrainer Trainer) Tiny(int steps, double lr = 3e-3, ulong seed = 1, float noise = 0.01f)
    {
        var task = new SpatialNavigationTask(new SpatialNavigationOptions { SequenceLength = 10 }, PlaceCells.CreateRandom(16, 0.4, 2.2, 2.2, seed));
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 12, 16, 16), seed);
        var trainer = new PathIntegrationTrainer(model, task, new TrainingOptions
        {
            Steps = steps, BatchSize = 8, TestBatchSize = 8, EvaluateEvery = 5, CheckpointEvery = 1,
            Adam = new AdamOptions { LearningRate = lr }, Noise = NoiseLevels.Recurrent(noise), Seed = seed,
        });
        return (model, trainer);
    }

    [Fact]
    public void TrainingLowersTheHeldOutLoss()
    {
        var (_, trainer) = Tiny(60, lr: 1e-2);
        double before = trainer.Evaluate().Loss;
        var result = trainer.Train();
        double after = result.Evaluations[^1].Loss;
        Assert.True(after < 0.8 * before, $"held-out loss {before} -> {after}");
        Assert.Equal(60, result.Evaluations[^1].Step);
        Assert.Equal(12, result.Evaluations.Count);
    }

    [Fact]
    public void SameSeedGivesBitIdenticalWeightsAndOtherSeedDoesNot()
    {
        var (a, ta) = Tiny(4);
        var (b, tb) = Tiny(4);
        var (c, tc) = Tiny(4, seed: 2);
        ta.Train();
        tb.Train();
        tc.Train();
        Assert.Equal(a.Parameters.Values, b.Parameters.Values);
        Assert.NotEqual(a.Parameters.Values, c.Parameters.Values);
    }

    [Fact]
    public void ResumedRunEqualsUninterruptedRun()
    {
        string path = Path.Combine(_dir, "ckpt.nrnn");
        var (straight, t1) = Tiny(6);
        t1.Train();

        var (first, t2) = Tiny(3);
        t2.Train(checkpointPath: path);
        // A new process: fresh model object, same configuration, resumes from the file for the remaining steps.
        var (resumed, t3) = Tiny(6);
        var result = t3.Train(checkpointPath: path, resume: true);
        Assert.Equal(3, result.StartStep);
        Assert.Equal(straight.Parameters.Values, resumed.Parameters.Values);
        Assert.NotEqual(first.Parameters.Values, resumed.Parameters.Values);
    }

    [Fact]
    public void AResumedRunContinuesTheTrainingTimeOfItsCheckpoint()
    {
        string path = Path.Combine(_dir, "timed.nrnn");
        var first = Tiny(3).Trainer.Train(checkpointPath: path);
        // The checkpoint records the time the result reports, counted from step 0.
        Assert.Equal((first.TrainingSeconds, 0), CheckpointFiles.TrainingTime(path));
        Assert.InRange(first.TrainingSeconds, 0, first.WallSeconds);
        Assert.Equal(0, first.StartSeconds);

        // As if the first process had trained for an hour: the resumed run continues from that time.
        const double Hour = 3600;
        CheckpointFiles.EditMetadata(path, m => m[TrainerState.SecondsKey] = "3600");
        var reports = new List<TrainingProgress>();
        var (straight, t1) = Tiny(6);
        t1.Train();
        var (resumed, t2) = Tiny(6);
        var result = t2.Train(new SynchronousProgress<TrainingProgress>(reports.Add), checkpointPath: path, resume: true);
        Assert.Equal(straight.Parameters.Values, resumed.Parameters.Values);
        Assert.Equal((Hour, 0), (result.StartSeconds, result.TimedFromStep));
        Assert.InRange(result.TrainingSeconds, Hour, Hour + result.WallSeconds);
        Assert.Equal((result.TrainingSeconds, 0), CheckpointFiles.TrainingTime(path));
        Assert.Equal(3, reports.Count);
        Assert.All(reports, r => Assert.Equal(Hour, r.StartSeconds));
        Assert.All(reports, r => Assert.Equal(Hour + r.ElapsedSeconds, r.TrainingSeconds));

        // A finished network loaded again reports the time stored with it, not the near-zero time of this call.
        var again = Tiny(6).Trainer.Train(checkpointPath: path, resume: true);
        Assert.Equal(result.TrainingSeconds, again.TrainingSeconds);
        Assert.Equal(result.TrainingSeconds, again.StartSeconds);
    }

    [Fact]
    public void ACheckpointWithoutATimeRecordLoadsAndItsEarlierTimeStaysMarkedUnknown()
    {
        string path = Path.Combine(_dir, "untimed.nrnn");
        Tiny(3).Trainer.Train(checkpointPath: path);
        // A trainer checkpoint as older library versions wrote it: evaluations and loss, no time.
        CheckpointFiles.EditMetadata(path, m =>
        {
            m.Remove(TrainerState.SecondsKey);
            m.Remove(TrainerState.TimedFromStepKey);
        });
        Assert.Equal((0.0, 3), CheckpointFiles.TrainingTime(path));

        var (straight, t1) = Tiny(6);
        t1.Train();
        var (resumed, t2) = Tiny(6);
        var result = t2.Train(checkpointPath: path, resume: true);
        Assert.Equal(straight.Parameters.Values, resumed.Parameters.Values);
        // Only this call's steps are timed, and every later checkpoint says so.
        Assert.Equal((0.0, 3), (result.StartSeconds, result.TimedFromStep));
        Assert.InRange(result.TrainingSeconds, 0, result.WallSeconds);
        Assert.Equal((result.TrainingSeconds, 3), CheckpointFiles.TrainingTime(path));
        Assert.Equal(3, Tiny(6).Trainer.Train(checkpointPath: path, resume: true).TimedFromStep);

        // A time record that makes no sense is reported, not used.
        CheckpointFiles.EditMetadata(path, m => m[TrainerState.SecondsKey] = "-1");
        Assert.Contains(TrainerState.SecondsKey, Assert.Throws<InvalidDataException>(() => Tiny(6).Trainer.Train(checkpointPath: path, resume: true)).Message);
        CheckpointFiles.EditMetadata(path, m => (m[TrainerState.SecondsKey], m[TrainerState.TimedFromStepKey]) = ("1", "7"));
        Assert.Throws<InvalidDataException>(() => Tiny(6).Trainer.Train(checkpointPath: path, resume: true));
    }

    [Fact]
    public void DivergenceStopsWithTheStepAndKeepsFiniteWeights()
    {
        string path = Path.Combine(_dir, "diverged.nrnn");
        var (model, trainer) = Tiny(50, lr: 1e30);
        var ex = Assert.Throws<TrainingDivergedException>(() => trainer.Train(checkpointPath: path));
        Assert.InRange(ex.Step, 2, 50);
        Assert.Contains($"step {ex.Step}", ex.Message);
        Assert.All(model.Parameters.Values, v => Assert.True(float.IsFinite(v)));
        // The last checkpoint written is from the step before and loads cleanly with finite weights.
        var data = Checkpoint.Load(path);
        Assert.Equal(ex.Step - 1, data.Step);
        Assert.All(data.Network.Parameters.Values, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void CheckpointRoundTripsWeightsAndOptimizerState()
    {
        string path = Path.Combine(_dir, "sub", "model.nrnn");
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 5, 3, 4, Activation.Tanh, 1f, 0.5f, UseBias: true), 9);
        var adam = new Adam(new AdamOptions(), model.Parameters.Length);
        var g = model.Parameters.CloneEmpty();
        for (int i = 0; i < g.Length; i++) g.Values[i] = 0.01f * (i % 7 - 3);
        adam.Step(model.Parameters.Values, g.Values);
        Checkpoint.Save(path, model, 17, adam, new Dictionary<string, string> { ["run"] = "x" });

        var data = Checkpoint.Load(path);
        Assert.Equal(model.Options, data.Network.NetworkOptions);
        Assert.Equal(model.Parameters.Values, data.Network.Parameters.Values);
        Assert.Equal(17, data.Step);
        Assert.Equal(1, data.AdamStepCount);
        Assert.Equal(adam.FirstMoment.ToArray(), data.AdamFirstMoment);
        Assert.Equal(adam.SecondMoment.ToArray(), data.AdamSecondMoment);
        Assert.Equal("x", data.Metadata["run"]);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp-*"));
    }

    [Fact]
    public void CorruptTruncatedOrForeignCheckpointsAreReportedNotLoaded()
    {
        string path = Path.Combine(_dir, "m.nrnn");
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 5, 3, 4), 1);
        Checkpoint.Save(path, model, 1);
        byte[] good = File.ReadAllBytes(path);

        File.WriteAllBytes(path, good[..(good.Length - 10)]);
        Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));

        byte[] flipped = (byte[])good.Clone();
        flipped[good.Length / 2] ^= 0xFF;
        File.WriteAllBytes(path, flipped);
        Assert.Contains("checksum", Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path)).Message);

        File.WriteAllText(path, "not a checkpoint at all, just some text");
        Assert.Contains("NRNNCKP1", Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path)).Message);

        Assert.Throws<FileNotFoundException>(() => Checkpoint.Load(Path.Combine(_dir, "missing.nrnn")));
    }

    [Fact]
    public void CheckpointRefusesNonFiniteWeights()
    {
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 5, 3, 4), 1);
        model.Parameters.Values[3] = float.NaN;
        string path = Path.Combine(_dir, "nan.nrnn");
        Assert.Throws<ArgumentException>(() => Checkpoint.Save(path, model, 1));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void TrainerRejectsAModelThatDoesNotFitTheTask()
    {
        var task = new SpatialNavigationTask(new SpatialNavigationOptions { SequenceLength = 5 }, PlaceCells.CreateRandom(16, 0.2, 2.2, 2.2, 1));
        var wrongOutputs = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 8, 10, 16), 1);
        Assert.Equal("model", Assert.Throws<ArgumentException>(() => new PathIntegrationTrainer(wrongOutputs, task, new TrainingOptions())).ParamName);
        var ok = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 8, 16, 16), 1);
        Assert.Equal("Steps", Assert.Throws<ArgumentOutOfRangeException>(() => new PathIntegrationTrainer(ok, task, new TrainingOptions { Steps = 0 })).ParamName);
        Assert.Equal("BatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => new PathIntegrationTrainer(ok, task, new TrainingOptions { BatchSize = -1 })).ParamName);
    }

    [Fact]
    public void PositionErrorsFollowTheirDefinitions()
    {
        var (dist, mse) = SpatialNavigationTask.PositionErrors(new float[] { 0, 0, 1, 1 }, new float[] { 3, 4, 1, 1 });
        Assert.Equal(2.5, dist, 12);          // (5 + 0) / 2
        Assert.Equal(25.0 / 4, mse, 12);      // (9 + 16 + 0 + 0) / 4 coordinates
    }
}
