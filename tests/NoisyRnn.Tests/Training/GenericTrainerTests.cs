using System.Security.Cryptography;
using System.Text;
using NoisyRnn.Analysis;
using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Tasks;
using NoisyRnn.Training;

namespace NoisyRnn.Tests.Training;

public class GenericTrainerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "noisyrnn-generic-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    private static HeadDirectionTask HdTask(int cells = 16) =>
        new(new HeadDirectionOptions { SequenceLength = 10 }, new HeadDirectionCells(cells, Math.PI / 6));

    private static TrainingOptions Options(int steps, double lr = 1e-2) => new()
    {
        Steps = steps, BatchSize = 8, TestBatchSize = 8, EvaluateEvery = 10, CheckpointEvery = 5,
        Adam = new AdamOptions { LearningRate = lr }, Noise = NoiseLevels.Recurrent(0.05f), Seed = 2,
    };

    [Fact]
    public void GruLearnsHeadDirectionAndReportsTaskEvaluations()
    {
        var task = HdTask();
        var model = GruRnn.CreateInitialized(new GruRnnOptions(1, 16, 16, 16, Dt: 0.5f), 3);
        var trainer = new PathIntegrationTrainer(model, task, Options(60));
        double before = trainer.Evaluate().Loss;
        var reports = new List<TrainingProgress>();
        var result = trainer.Train(new SynchronousProgress<TrainingProgress>(reports.Add));
        Assert.True(result.Evaluations[^1].Loss < 0.8 * before, $"held-out loss {before} -> {result.Evaluations[^1].Loss}");
        Assert.Equal(6, result.Evaluations.Count);
        Assert.All(result.Evaluations, e => Assert.InRange(e.DecodingError, 0, Math.PI));
        Assert.Equal(6, reports.Count(r => r.Evaluation is not null));
    }

    [Fact]
    public void GruCheckpointsRoundTripAndResumeExactly()
    {
        string path = Path.Combine(_dir, "gru.nrnn");
        var task = HdTask();
        var full = GruRnn.CreateInitialized(new GruRnnOptions(1, 8, 16, 16, Dt: 0.5f, UseBias: true), 4);
        new PathIntegrationTrainer(full, task, Options(10)).Train();

        var part = GruRnn.CreateInitialized(new GruRnnOptions(1, 8, 16, 16, Dt: 0.5f, UseBias: true), 4);
        new PathIntegrationTrainer(part, task, Options(5)).Train(checkpointPath: path);
        var loaded = Checkpoint.Load(path);
        Assert.Equal(GruRnn.ModelKind, loaded.Network.Kind);
        Assert.Equal(part.Options, loaded.Network.NetworkOptions);
        Assert.Equal(part.Parameters.Values, loaded.Network.Parameters.Values);

        var resumed = GruRnn.CreateInitialized(new GruRnnOptions(1, 8, 16, 16, Dt: 0.5f, UseBias: true), 4);
        var result = new PathIntegrationTrainer(resumed, task, Options(10)).Train(checkpointPath: path, resume: true);
        Assert.Equal(5, result.StartStep);
        Assert.Equal(full.Parameters.Values, resumed.Parameters.Values);

        // A vanilla network refuses to resume from a GRU checkpoint.
        var vanilla = VanillaRnn.CreateInitialized(new VanillaRnnOptions(1, 8, 16, 16, Dt: 0.5f), 4);
        Assert.Throws<InvalidDataException>(() => new PathIntegrationTrainer(vanilla, task, Options(10)).Train(checkpointPath: path, resume: true));
    }

    [Fact]
    public void CheckpointsWithoutAModelKindLoadAsVanilla()
    {
        // The header layout written before the GRU existed: no ModelKind field.
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 3, 2, 2), 1);
        string header = "{\"FormatVersion\":1,\"Options\":{\"InputSize\":2,\"HiddenSize\":3,\"OutputSize\":2,\"InitSize\":2,\"Activation\":\"Relu\",\"TimeConstant\":1,\"Dt\":0.2,\"UseBias\":false}," +
                        $"\"Step\":7,\"AdamStepCount\":0,\"HasAdam\":false,\"ParameterCount\":{model.Parameters.Length},\"Views\":[],\"Metadata\":{{}}}}";
        byte[] headerBytes = Encoding.UTF8.GetBytes(header);
        var body = new List<byte>();
        body.AddRange("NRNNCKP1"u8.ToArray());
        body.AddRange(BitConverter.GetBytes(headerBytes.Length));
        body.AddRange(headerBytes);
        body.AddRange(System.Runtime.InteropServices.MemoryMarshal.AsBytes(model.Parameters.Values.AsSpan()).ToArray());
        body.AddRange(SHA256.HashData(body.ToArray()));
        Directory.CreateDirectory(_dir);
        string path = Path.Combine(_dir, "old.nrnn");
        File.WriteAllBytes(path, body.ToArray());

        var data = Checkpoint.Load(path);
        Assert.Equal(7, data.Step);
        Assert.IsType<VanillaRnn>(data.Network);
        Assert.Equal(model.Options, data.Network.NetworkOptions);
        Assert.Equal(model.Parameters.Values, data.Network.Parameters.Values);
    }

    [Fact]
    public void TrainerRejectsModelsThatDoNotFitTheTask()
    {
        var task = HdTask();
        Assert.Equal("model", Assert.Throws<ArgumentException>(() =>
            new PathIntegrationTrainer(GruRnn.CreateInitialized(new GruRnnOptions(2, 8, 16, 16), 1), task, Options(5))).ParamName);
        Assert.Equal("model", Assert.Throws<ArgumentException>(() =>
            new PathIntegrationTrainer(GruRnn.CreateInitialized(new GruRnnOptions(1, 8, 15, 16), 1), task, Options(5))).ParamName);
        Assert.Equal("Steps", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new PathIntegrationTrainer(GruRnn.CreateInitialized(new GruRnnOptions(1, 8, 16, 16), 1), task, Options(0))).ParamName);
    }

    [Fact]
    public void HeadDirectionReactivationRunsOnAGru()
    {
        var task = HdTask();
        var model = GruRnn.CreateInitialized(new GruRnnOptions(1, 16, 16, 16, Dt: 0.5f), 3);
        var trainer = new PathIntegrationTrainer(model, task, Options(20));
        trainer.Train();
        float[] active = PathIntegrationReactivation.DecodeActive(model, task, trainer.TestBatch, NoiseLevels.Recurrent(0.05f), 1);
        Assert.Equal(8 * 10, active.Length);
        var density = PathIntegrationReactivation.Density(task, active);
        Assert.Equal(1, density.Dimensions);
        var report = PathIntegrationReactivation.Analyze(model, task, trainer.TestBatch.InitialState, 8, density, 0.07f,
            new ReactivationOptions { KlSteps = 50, VarianceSteps = 60, VarianceShift = 20, StepDistanceSteps = 20, KlSamples = 200 });
        Assert.True(report.Kl is { } kl && double.IsFinite(kl.Value), report.KlNote);
        Assert.True(report.QuiescentOutputVariance >= 0 && report.QuiescentStepDistance >= 0);
        Assert.True(report.MeanSignedStep is { } drift && double.IsFinite(drift));
        var uniform = KlDivergence.UniformIntervalToKde(-Math.PI, Math.PI, density, 200, 5);
        Assert.True(double.IsFinite(uniform.Value));
    }

    [Fact]
    public void UnwrapJoinsStepsAcrossPi()
    {
        float[] angles = [3.0f, -3.0f, -2.9f, 3.1f];
        float[] u = PathIntegrationReactivation.Unwrap(angles, 1, 4);
        Assert.Equal(3.0f, u[0]);
        Assert.Equal(2 * MathF.PI - 3.0f, u[1], 5);
        Assert.Equal(2 * MathF.PI - 2.9f, u[2], 5);
        Assert.Equal(3.1f, u[3], 5);
        Assert.Equal("angles", Assert.Throws<ArgumentException>(() => PathIntegrationReactivation.Unwrap(angles, 1, 3)).ParamName);
    }
}
