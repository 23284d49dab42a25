using NoisyRnn.Models;
using NoisyRnn.Noise;

namespace NoisyRnn.Tests.Models;

public class VanillaRnnValidationTests
{
    private static readonly VanillaRnnOptions Small = new(2, 4, 3, 3);

    [Theory]
    [InlineData(0, 4, 3, 3, 1f, 0.2f, "InputSize")]
    [InlineData(2, 0, 3, 3, 1f, 0.2f, "HiddenSize")]
    [InlineData(2, 4, -1, 3, 1f, 0.2f, "OutputSize")]
    [InlineData(2, 4, 3, 0, 1f, 0.2f, "InitSize")]
    [InlineData(2, 4, 3, 3, 1f, 0f, "Dt")]
    [InlineData(2, 4, 3, 3, 1f, -0.1f, "Dt")]
    [InlineData(2, 4, 3, 3, 1f, float.NaN, "Dt")]
    [InlineData(2, 4, 3, 3, 0f, 0.2f, "TimeConstant")]
    [InlineData(2, 4, 3, 3, float.PositiveInfinity, 0.2f, "TimeConstant")]
    [InlineData(2, 4, 3, 3, 1f, 1.5f, "Dt")]
    public void InvalidOptionsNameTheProperty(int input, int hidden, int output, int init, float tau, float dt, string property)
    {
        var options = new VanillaRnnOptions(input, hidden, output, init, TimeConstant: tau, Dt: dt);
        Assert.Equal(property, Assert.Throws<ArgumentOutOfRangeException>(options.Validate).ParamName);
        Assert.Equal(property, Assert.Throws<ArgumentOutOfRangeException>(() => new VanillaRnn(options)).ParamName);
    }

    [Fact]
    public void AlphaOfOneIsAllowed()
    {
        var options = new VanillaRnnOptions(1, 1, 1, 1, TimeConstant: 0.5f, Dt: 0.5f);
        options.Validate();
        Assert.Equal(1f, options.Alpha);
    }

    [Fact]
    public void ForwardChecksLengthsAndFiniteness()
    {
        var model = new VanillaRnn(Small);
        var tape = model.CreateTape(2, 3);
        var streams = NoiseStreams.FromSeed(1);
        var inputs = new float[2 * 3 * 2];
        var init = new float[2 * 3];
        var ex = Assert.Throws<ArgumentException>(() => model.Forward(new float[11], init, NoiseLevels.None, streams, tape));
        Assert.Equal("inputs", ex.ParamName);
        Assert.Contains("[batch, time, input] = [2, 3, 2]", ex.Message);
        Assert.Equal("initState", Assert.Throws<ArgumentException>(() => model.Forward(inputs, new float[5], NoiseLevels.None, streams, tape)).ParamName);
        var nan = (float[])inputs.Clone();
        nan[4] = float.NaN;
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => model.Forward(nan, init, NoiseLevels.None, streams, tape)).ParamName);
        var inf = (float[])init.Clone();
        inf[0] = float.PositiveInfinity;
        Assert.Equal("initState", Assert.Throws<ArgumentException>(() => model.Forward(inputs, inf, NoiseLevels.None, streams, tape)).ParamName);
        var otherTape = new VanillaRnn(Small with { HiddenSize = 5 }).CreateTape(2, 3);
        Assert.Equal("tape", Assert.Throws<ArgumentException>(() => model.Forward(inputs, init, NoiseLevels.None, streams, otherTape)).ParamName);
    }

    [Fact]
    public void TapeSizesMustBePositive()
    {
        var model = new VanillaRnn(Small);
        Assert.Equal("batch", Assert.Throws<ArgumentOutOfRangeException>(() => model.CreateTape(0, 3)).ParamName);
        Assert.Equal("time", Assert.Throws<ArgumentOutOfRangeException>(() => model.CreateTape(2, -1)).ParamName);
    }

    [Fact]
    public void NegativeNoiseStdIsRejected()
    {
        Assert.Equal("recurrentStd", Assert.Throws<ArgumentOutOfRangeException>(() => new NoiseLevels(0f, -0.1f, 0f)).ParamName);
        var model = new VanillaRnn(Small);
        Assert.Equal("recurrentStd", Assert.Throws<ArgumentOutOfRangeException>(() =>
            model.Simulate(new float[4], default, 1, 2, -1f, new GaussianNoiseSource(1), default, default)).ParamName);
    }

    [Fact]
    public void BackwardChecksTapeGradientAndLengths()
    {
        var model = new VanillaRnn(Small);
        var tape = model.CreateTape(2, 3);
        var dy = new float[2 * 3 * 3];
        Assert.Equal("tape", Assert.Throws<ArgumentException>(() => model.Backward(tape, dy, model.Parameters.CloneEmpty())).ParamName);
        model.Forward(new float[12], new float[6], NoiseLevels.None, NoiseStreams.FromSeed(1), tape);
        Assert.Equal("outputGradient", Assert.Throws<ArgumentException>(() => model.Backward(tape, new float[17], model.Parameters.CloneEmpty())).ParamName);
        var wrongLayout = new VanillaRnn(Small with { UseBias = true }).Parameters.CloneEmpty();
        Assert.Equal("gradient", Assert.Throws<ArgumentException>(() => model.Backward(tape, dy, wrongLayout)).ParamName);
    }

    [Fact]
    public void SimulateAndEncodeCheckArguments()
    {
        var model = new VanillaRnn(Small);
        var source = new GaussianNoiseSource(1);
        Assert.Equal("batch", Assert.Throws<ArgumentOutOfRangeException>(() => model.Simulate(new float[4], default, 0, 2, 0f, source, default, default)).ParamName);
        Assert.Equal("initialHidden", Assert.Throws<ArgumentException>(() => model.Simulate(new float[5], default, 1, 2, 0f, source, default, default)).ParamName);
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => model.Simulate(new float[4], new float[3], 1, 2, 0f, source, default, default)).ParamName);
        Assert.Equal("hidden", Assert.Throws<ArgumentException>(() => model.Simulate(new float[4], default, 1, 2, 0f, source, new float[7], default)).ParamName);
        Assert.Equal("outputs", Assert.Throws<ArgumentException>(() => model.Simulate(new float[4], default, 1, 2, 0f, source, default, new float[7])).ParamName);
        var nanHidden = new float[4];
        nanHidden[2] = float.NaN;
        Assert.Equal("initialHidden", Assert.Throws<ArgumentException>(() => model.Simulate(nanHidden, default, 1, 2, 0f, source, default, default)).ParamName);
        Assert.Equal("hidden", Assert.Throws<ArgumentException>(() => model.Encode(new float[3], 1, new float[3])).ParamName);
        Assert.Equal("batch", Assert.Throws<ArgumentOutOfRangeException>(() => model.Encode(new float[3], 0, new float[4])).ParamName);
    }
}
