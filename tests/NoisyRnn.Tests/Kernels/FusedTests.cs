using NoisyRnn.Kernels;
using NoisyRnn.Models;

namespace NoisyRnn.Tests.Kernels;

public class FusedTests
{
    /// <summary>ReLU and identity use the scalar twin's exact operation order: results agree to the last ulp.</summary>
    private const float ExactTolerance = 1e-7f;

    /// <summary>tanh and sigmoid come from TensorPrimitives in SIMD and from MathF in the twin: a few ulp apart.</summary>
    private const float TranscendentalTolerance = 2e-6f;

    private const int Pad = 17;
    private const int MaxLength = 3 * 16 + 5;

    public static TheoryData<IsaTier> SimdTiers() => GemmTests.SimdTiers();

    private static float[] Random(int n, int seed, float scale = 2f)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        return x;
    }

    private static float Tolerance(Activation act) => act is Activation.Relu or Activation.Identity ? ExactTolerance : TranscendentalTolerance;

    private static void AssertCanaries(float[] buffer, int length)
    {
        for (int i = 0; i < Pad; i++)
        {
            Assert.True(float.IsNaN(buffer[i]), $"canary before output overwritten at {i}");
            Assert.True(float.IsNaN(buffer[Pad + length + i]), $"canary after output overwritten at {i}");
        }
    }

    [Theory]
    [MemberData(nameof(SimdTiers))]
    public void LeakyUpdateMatchesScalarTwinForAllLengths(IsaTier tier)
    {
        foreach (Activation act in Enum.GetValues<Activation>())
        foreach (bool withNoise in new[] { false, true })
        for (int n = 0; n <= MaxLength; n++)
        {
            float[] hp = Random(n, n), u = Random(n, n + 100), xi = Random(n, n + 200, 1f);
            float[] noise = withNoise ? xi : Array.Empty<float>();
            var expected = new float[n];
            FusedScalar.LeakyUpdate(hp, u, noise, 0.2f, 0.1f, act, expected);

            var buffer = new float[n + 2 * Pad];
            Array.Fill(buffer, float.NaN);
            Fused.LeakyUpdate(hp, u, noise, 0.2f, 0.1f, act, buffer.AsSpan(Pad, n), tier);
            AssertCanaries(buffer, n);
            for (int i = 0; i < n; i++) Assert.Equal(expected[i], buffer[Pad + i], Tolerance(act));

            // In place: next is the very same span as previous.
            var inPlace = (float[])hp.Clone();
            Fused.LeakyUpdate(inPlace, u, noise, 0.2f, 0.1f, act, inPlace, tier);
            for (int i = 0; i < n; i++) Assert.Equal(expected[i], inPlace[i], Tolerance(act));
        }
    }

    [Theory]
    [MemberData(nameof(SimdTiers))]
    public void ActivationBackwardMatchesScalarTwinForAllLengths(IsaTier tier)
    {
        foreach (Activation act in Enum.GetValues<Activation>())
        for (int n = 0; n <= MaxLength; n++)
        {
            float[] dh = Random(n, n + 300), u = Random(n, n + 400);
            if (n > 2) u[1] = 0f; // ReLU at its kink: derivative 0, as in PyTorch
            var expected = new float[n];
            FusedScalar.ActivationBackward(dh, u, 0.5f, act, expected);

            var buffer = new float[n + 2 * Pad];
            Array.Fill(buffer, float.NaN);
            Fused.ActivationBackward(dh, u, 0.5f, act, buffer.AsSpan(Pad, n), tier);
            AssertCanaries(buffer, n);
            for (int i = 0; i < n; i++) Assert.Equal(expected[i], buffer[Pad + i], Tolerance(act));

            var inPlace = (float[])dh.Clone();
            Fused.ActivationBackward(inPlace, u, 0.5f, act, inPlace, tier);
            for (int i = 0; i < n; i++) Assert.Equal(expected[i], inPlace[i], Tolerance(act));
        }
    }

    [Fact]
    public void ScalarTwinFollowsTheFormulas()
    {
        float[] hp = { 1f, -2f }, u = { 0.5f, -0.5f }, xi = { 1f, 2f };
        var h = new float[2];
        FusedScalar.LeakyUpdate(hp, u, xi, 0.25f, 0.1f, Activation.Tanh, h);
        Assert.Equal(0.75f * 1f + 0.25f * MathF.Tanh(0.5f) + 0.1f, h[0], 1e-6f);
        Assert.Equal(0.75f * -2f + 0.25f * MathF.Tanh(-0.5f) + 0.2f, h[1], 1e-6f);
        var du = new float[2];
        FusedScalar.ActivationBackward(new float[] { 2f, 2f }, u, 0.25f, Activation.Sigmoid, du);
        float s = 1f / (1f + MathF.Exp(-0.5f));
        Assert.Equal(2f * 0.25f * s * (1 - s), du[0], 1e-6f);
    }

    [Fact]
    public void MismatchedLengthsNameTheParameter()
    {
        var x = new float[4];
        Assert.Equal("next", Assert.Throws<ArgumentException>(() => Fused.LeakyUpdate(x, x, default, 0.2f, 0f, Activation.Relu, new float[3])).ParamName);
        Assert.Equal("noise", Assert.Throws<ArgumentException>(() => Fused.LeakyUpdate(x, x, new float[2], 0.2f, 0f, Activation.Relu, x)).ParamName);
        Assert.Equal("preActivation", Assert.Throws<ArgumentException>(() => Fused.ActivationBackward(x, new float[5], 0.2f, Activation.Relu, x)).ParamName);
    }
}
