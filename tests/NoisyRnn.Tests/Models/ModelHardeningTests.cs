using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Reference;

namespace NoisyRnn.Tests.Models;

/// <summary>Bad inputs found while hardening the model API: each must be rejected with the parameter named.</summary>
public class ModelHardeningTests
{
    [Fact]
    public void OptionsWhoseParameterCountOverflowsNameHiddenSize()
    {
        // 1e6 hidden units: w_rec alone has 1e12 entries, more than one float array can hold.
        var options = new VanillaRnnOptions(2, 1_000_000, 32, 32);
        var e = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Equal("HiddenSize", e.ParamName);
        Assert.Equal("HiddenSize", Assert.Throws<ArgumentOutOfRangeException>(() => new VanillaRnn(options)).ParamName);
    }

    [Fact]
    public void GruOptionsWhoseParameterCountOverflowsNameHiddenSize()
    {
        // 30,000 hidden units: the three recurrent gate matrices hold 2.7e9 entries, more than one float array can hold
        // (a vanilla cell of that size, 9e8 entries, still fits).
        Assert.Equal("HiddenSize", Assert.Throws<ArgumentOutOfRangeException>(new GruRnnOptions(2, 30_000, 32, 32).Validate).ParamName);
        new VanillaRnnOptions(2, 30_000, 32, 32).Validate();
        // At int.MaxValue units 3 h^2 would wrap a 64-bit integer; both cells must still reject it.
        Assert.Equal("HiddenSize", Assert.Throws<ArgumentOutOfRangeException>(new GruRnnOptions(2, int.MaxValue, 32, 32).Validate).ParamName);
        Assert.Equal("HiddenSize", Assert.Throws<ArgumentOutOfRangeException>(new VanillaRnnOptions(2, int.MaxValue, 32, 32).Validate).ParamName);
    }

    [Fact]
    public void TapeTooLargeForOneArrayNamesBatch()
    {
        var model = new VanillaRnn(new VanillaRnnOptions(2, 8, 4, 4));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.CreateTape(int.MaxValue / 4, 100));
        Assert.Equal("batch", e.ParamName);
        var gru = new GruRnn(new GruRnnOptions(2, 8, 4, 4));
        Assert.Equal("batch", Assert.Throws<ArgumentOutOfRangeException>(() => gru.CreateTape(int.MaxValue / 4, 100)).ParamName);
    }

    [Fact]
    public void BackwardRejectsNonFiniteOutputGradient()
    {
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 4, 3, 3), 1);
        var tape = model.CreateTape(1, 2);
        model.Forward(new float[4], new float[3], NoiseLevels.None, NoiseStreams.FromSeed(1), tape);
        var dy = new float[6];
        dy[5] = float.NaN;
        var e = Assert.Throws<ArgumentException>(() => model.Backward(tape, dy, model.Parameters.CloneEmpty()));
        Assert.Equal("outputGradient", e.ParamName);

        var gru = GruRnn.CreateInitialized(new GruRnnOptions(2, 4, 3, 3), 1);
        var gruTape = gru.CreateTape(1, 2);
        gru.Forward(new float[4], new float[3], NoiseLevels.None, NoiseStreams.FromSeed(1), gruTape);
        Assert.Equal("outputGradient", Assert.Throws<ArgumentException>(() => gru.Backward(gruTape, dy, gru.Parameters.CloneEmpty())).ParamName);
    }

    [Fact]
    public void ReplaySourceRejectsNonFiniteDrawsAndUndefinedDistribution()
    {
        var e = Assert.Throws<ArgumentException>(() => new ReplayNoiseSource([0f, float.PositiveInfinity], NoiseDistribution.StandardNormal));
        Assert.Equal("draws", e.ParamName);
        var d = Assert.Throws<ArgumentOutOfRangeException>(() => new ReplayNoiseSource([0f], (NoiseDistribution)7));
        Assert.Equal("distribution", d.ParamName);
    }

    [Fact]
    public void FromSeedRejectsUndefinedDistribution()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => NoiseStreams.FromSeed(1, (NoiseDistribution)5));
        Assert.Equal("distribution", e.ParamName);
    }
}

public class ParameterSetHardeningTests
{
    [Fact]
    public void LayoutLargerThanAnArrayIsAnArgumentException()
    {
        var e = Assert.Throws<ArgumentException>(() => new ParameterSet([("a", new[] { 65536, 65536 })]));
        Assert.Equal("layout", e.ParamName);
    }
}
