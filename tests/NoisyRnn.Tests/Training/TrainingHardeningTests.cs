using System.Security.Cryptography;
using System.Text;
using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Tasks;
using NoisyRnn.Training;

namespace NoisyRnn.Tests.Training;

/// <summary>Bad inputs found while hardening training and checkpoints.</summary>
public class TrainingHardeningTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "noisyrnn-hardening-" + Guid.NewGuid().ToString("N"));

    public TrainingHardeningTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    [Theory]
    [InlineData(1e300, 0.9, 0.999, 1e-8, "LearningRate")] // finite double, infinite as the float32 the kernel uses
    [InlineData(1e-3, 0.99999999999, 0.999, 1e-8, "Beta1")] // < 1 as a double, exactly 1 as a float32: 1 - b1^t = 0
    [InlineData(1e-3, 0.9, 0.99999999999, 1e-8, "Beta2")]
    [InlineData(1e-3, 0.9, 0.999, 1e-60, "Epsilon")] // rounds to 0 in float32: 0/0 for a zero gradient
    [InlineData(1e-60, 0.9, 0.999, 1e-8, "LearningRate")] // rounds to 0 in float32: training silently does nothing
    public void AdamOptionsThatBreakInFloat32AreRejected(double lr, double b1, double b2, double eps, string name)
    {
        var o = new AdamOptions { LearningRate = lr, Beta1 = b1, Beta2 = b2, Epsilon = eps };
        Assert.Equal(name, Assert.Throws<ArgumentOutOfRangeException>(o.Validate).ParamName);
    }

    [Fact]
    public void AdamStepRejectsNonFiniteGradientsAndLeavesTheParameters()
    {
        var adam = new Adam(new AdamOptions(), 3);
        float[] p = [1f, 2f, 3f];
        var e = Assert.Throws<ArgumentException>(() => adam.Step(p, [0.1f, float.NaN, 0.1f]));
        Assert.Equal("gradients", e.ParamName);
        Assert.Equal([1f, 2f, 3f], p);
        Assert.Equal(0, adam.StepCount);
    }

    [Fact]
    public void PositionErrorsRejectNonFiniteValues()
    {
        var e = Assert.Throws<ArgumentException>(() => SpatialNavigationTask.PositionErrors([0f, float.NaN], [0f, 0f]));
        Assert.Equal("decoded", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => SpatialNavigationTask.PositionErrors([0f, 0f], [float.PositiveInfinity, 0f]));
        Assert.Equal("truth", e.ParamName);
    }

    [Fact]
    public void TrainingOptionsRejectUndefinedNoiseDistribution()
    {
        var o = new TrainingOptions { NoiseDistribution = (NoiseDistribution)9 };
        Assert.Equal("NoiseDistribution", Assert.Throws<ArgumentOutOfRangeException>(o.Validate).ParamName);
    }

    private static SpatialNavigationTask Task(int cells) =>
        new(new SpatialNavigationOptions { SequenceLength = 5 }, PlaceCells.CreateRandom(cells, 0.4, 2.2, 2.2, 1));

    private static TrainingOptions Options(int steps) => new()
    {
        Steps = steps, BatchSize = 4, TestBatchSize = 4, EvaluateEvery = 1, CheckpointEvery = 1, Noise = NoiseLevels.Recurrent(0.01f), Seed = 2,
    };

    [Fact]
    public void TrainerNeedsAtLeastThreePlaceCellsForTopThreeDecoding()
    {
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 4, 2, 2), 1);
        var e = Assert.Throws<ArgumentException>(() => new PathIntegrationTrainer(model, Task(2), Options(2)));
        Assert.Equal("task", e.ParamName);
    }

    [Fact]
    public void TrainRejectsABlankCheckpointPathBeforeTraining()
    {
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 4, 8, 8), 1);
        var before = (float[])model.Parameters.Values.Clone();
        var trainer = new PathIntegrationTrainer(model, Task(8), Options(2));
        var e = Assert.Throws<ArgumentException>(() => trainer.Train(checkpointPath: "  "));
        Assert.Equal("checkpointPath", e.ParamName);
        Assert.Equal(before, model.Parameters.Values);
    }

    [Fact]
    public void ResumingAFinishedRunReturnsItsWholeLearningCurveInsteadOfNoEvaluation()
    {
        string path = Path.Combine(_dir, "done.nrnn");
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 4, 8, 8), 1);
        var first = new PathIntegrationTrainer(model, Task(8), Options(2)).Train(checkpointPath: path);

        var again = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 4, 8, 8), 1);
        var result = new PathIntegrationTrainer(again, Task(8), Options(2)).Train(checkpointPath: path, resume: true);
        Assert.Equal(2, result.StartStep);
        // The checkpoint carries the evaluations and the last loss: the resumed run reports them, not a second evaluation.
        Assert.Equal(first.Evaluations, result.Evaluations);
        Assert.Equal(2, result.Evaluations[^1].Step);
        Assert.Equal(first.FinalLoss, result.FinalLoss);
        Assert.Equal(model.Parameters.Values, again.Parameters.Values);

        // A checkpoint saved without the trainer's state (older files) still evaluates once.
        var bare = Path.Combine(_dir, "bare.nrnn");
        Checkpoint.Save(bare, model, 2);
        var third = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 4, 8, 8), 1);
        var once = new PathIntegrationTrainer(third, Task(8), Options(2)).Train(checkpointPath: bare, resume: true);
        Assert.Equal(2, Assert.Single(once.Evaluations).Step);
    }

    [Fact]
    public void ResumingACheckpointBeyondStepsIsReported()
    {
        string path = Path.Combine(_dir, "long.nrnn");
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 4, 8, 8), 1);
        new PathIntegrationTrainer(model, Task(8), Options(3)).Train(checkpointPath: path);
        var again = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 4, 8, 8), 1);
        Assert.Throws<InvalidDataException>(() => new PathIntegrationTrainer(again, Task(8), Options(2)).Train(checkpointPath: path, resume: true));
    }

    [Fact]
    public void SaveRejectsAnOptimizerOfAnotherSize()
    {
        var model = new VanillaRnn(new VanillaRnnOptions(2, 4, 3, 3));
        var adam = new Adam(new AdamOptions(), model.Parameters.Length + 1);
        var e = Assert.Throws<ArgumentException>(() => Checkpoint.Save(Path.Combine(_dir, "x.nrnn"), model, 0, adam));
        Assert.Equal("adam", e.ParamName);
        Assert.False(File.Exists(Path.Combine(_dir, "x.nrnn")));
    }

    /// <summary>A file with a valid signature and a valid checksum around an arbitrary header and payload.</summary>
    private string Forge(string header, byte[] payload)
    {
        var body = new List<byte>("NRNNCKP1"u8.ToArray());
        byte[] h = Encoding.UTF8.GetBytes(header);
        body.AddRange(BitConverter.GetBytes(h.Length));
        body.AddRange(h);
        body.AddRange(payload);
        byte[] all = body.ToArray();
        string path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".nrnn");
        File.WriteAllBytes(path, [.. all, .. SHA256.HashData(all)]);
        return path;
    }

    private string ValidHeader(int hidden = 2, string step = "0", int? parameterCount = null)
    {
        // Options (2, hidden, 1, 1): encoder h + w_in 2h + w_rec h^2 + w_out h.
        int count = parameterCount ?? hidden + 2 * hidden + hidden * hidden + hidden;
        return "{\"FormatVersion\":1,\"Options\":{\"InputSize\":2,\"HiddenSize\":" + hidden + ",\"OutputSize\":1,\"InitSize\":1," +
               "\"Activation\":\"Relu\",\"TimeConstant\":1,\"Dt\":0.2,\"UseBias\":false},\"Step\":" + step + ",\"AdamStepCount\":0," +
               "\"HasAdam\":false,\"ParameterCount\":" + count + ",\"Views\":[],\"Metadata\":{}}";
    }

    [Fact]
    public void ForgedHeaderParsesWhenEverythingIsValid()
    {
        // Guards the forging helper: the failures below come from the bad field, not from a broken file.
        var data = Checkpoint.Load(Forge(ValidHeader(), new byte[12 * 4]));
        Assert.Equal(12, data.Network.Parameters.Length);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"FormatVersion\":1}")] // no options
    [InlineData("{\"FormatVersion\":1,\"Options\":{\"InputSize\":2,\"HiddenSize\":-4,\"OutputSize\":1,\"InitSize\":1,\"Activation\":\"Relu\",\"TimeConstant\":1,\"Dt\":0.2,\"UseBias\":false},\"Step\":0,\"AdamStepCount\":0,\"HasAdam\":false,\"ParameterCount\":12,\"Views\":[],\"Metadata\":{}}")]
    [InlineData("null")]
    public void GarbageHeaderWithAValidChecksumIsInvalidData(string header)
    {
        string path = Forge(header, new byte[12 * 4]);
        Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
    }

    [Theory]
    [InlineData(40_000)] // 1.6e9 parameters (6.4 GB) while the file holds 48 bytes: reported before the model is allocated
    [InlineData(100_000)] // 1e10 parameters: more than an int; used to escape as an OverflowException
    public void HeaderDescribingAHugeModelIsInvalidData(int hidden)
    {
        string path = Forge(ValidHeader(hidden: hidden, parameterCount: 12), new byte[12 * 4]);
        Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
    }

    [Fact]
    public void NegativeStepIsInvalidData()
    {
        Assert.Throws<InvalidDataException>(() => Checkpoint.Load(Forge(ValidHeader(step: "-5"), new byte[12 * 4])));
    }

    [Fact]
    public void AnAdamStepCountThatCannotBeIncrementedIsInvalidData()
    {
        // Adam.RestoreStepCount rejects long.MaxValue (the next step would wrap the counter); the file is reported as bad
        // when it is read, not with an ArgumentOutOfRangeException when training resumes from it.
        string header = ValidHeader().Replace("\"AdamStepCount\":0", "\"AdamStepCount\":" + long.MaxValue);
        Assert.Contains(long.MaxValue.ToString(), header);
        Assert.Throws<InvalidDataException>(() => Checkpoint.Load(Forge(header, new byte[12 * 4])));
    }

    [Fact]
    public void NonFiniteParametersAreInvalidData()
    {
        var payload = new byte[12 * 4];
        BitConverter.GetBytes(float.NaN).CopyTo(payload, 8);
        Assert.Throws<InvalidDataException>(() => Checkpoint.Load(Forge(ValidHeader(), payload)));
    }

    [Fact]
    public void NegativeSecondMomentIsInvalidData()
    {
        string header = ValidHeader().Replace("\"HasAdam\":false", "\"HasAdam\":true");
        var payload = new byte[3 * 12 * 4];
        BitConverter.GetBytes(-1f).CopyTo(payload, 2 * 12 * 4);
        Assert.Throws<InvalidDataException>(() => Checkpoint.Load(Forge(header, payload)));
        Assert.NotNull(Checkpoint.Load(Forge(header, new byte[3 * 12 * 4])).AdamSecondMoment); // the same file with v = 0 loads
    }

    [Fact]
    public void AnUpdateThatOverflowsIsNotAppliedAndStopsTraining()
    {
        // lr = 1e38 passes validation, but the bias-corrected step lr / (1 - 0.9) = 1e39 overflows float32.
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 4, 8, 8), 1);
        var before = (float[])model.Parameters.Values.Clone();
        var trainer = new PathIntegrationTrainer(model, Task(8), Options(3) with { Adam = new AdamOptions { LearningRate = 1e38 } });
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Train());
        Assert.Equal(1, e.Step);
        Assert.Equal(before, model.Parameters.Values);
    }

    [Fact]
    public void EvaluatingANetworkWhoseReadoutOverflowsIsDivergenceNotABadArgument()
    {
        var model = new VanillaRnn(new VanillaRnnOptions(2, 4, 8, 8));
        model.Parameters[VanillaRnn.EncoderWeight].Fill(1e10f);
        model.Parameters[VanillaRnn.OutputWeight].Fill(1e30f);
        var trainer = new PathIntegrationTrainer(model, Task(8), Options(1));
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Evaluate(7));
        Assert.Equal(7, e.Step);
    }

    [Fact]
    public void EmptyFileIsInvalidData()
    {
        string path = Path.Combine(_dir, "empty.nrnn");
        File.WriteAllBytes(path, []);
        Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
    }
}

public class MseLossHardeningTests
{
    [Fact]
    public void NonFiniteTargetsAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => MseLoss.Compute([0f, 1f], [0f, float.NaN], new float[2]));
        Assert.Equal("targets", e.ParamName);
    }

    [Theory]
    [InlineData(float.PositiveInfinity, float.PositiveInfinity)] // inf - inf = NaN
    [InlineData(1f, float.NegativeInfinity)]
    [InlineData(float.NaN, float.NaN)]
    public void ANonFiniteTargetIsRejectedWhateverTheOutputAtItsPlace(float output, float target)
    {
        // 5000 elements: the bad target sits in the second 4096-element chunk.
        var outputs = new float[5000];
        var targets = new float[5000];
        outputs[4500] = output;
        targets[4500] = target;
        var e = Assert.Throws<ArgumentException>(() => MseLoss.Compute(outputs, targets, new float[5000]));
        Assert.Equal("targets", e.ParamName);
        Assert.Contains("element 4500", e.Message);
    }

    [Fact]
    public void FiniteButHugeOutputsGiveAnInfiniteLossNotAnException()
    {
        Assert.True(double.IsPositiveInfinity(MseLoss.Compute([float.MaxValue], [-float.MaxValue], [])));
    }

    [Fact]
    public void NonFiniteOutputsStillGiveANonFiniteLossForDivergenceDetection()
    {
        Assert.True(double.IsNaN(MseLoss.Compute([float.NaN], [0f], [])));
    }
}
