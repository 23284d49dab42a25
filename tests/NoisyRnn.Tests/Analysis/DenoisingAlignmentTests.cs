using NoisyRnn.Analysis;
using NoisyRnn.Models;

namespace NoisyRnn.Tests.Analysis;

/// <summary>
/// A linear network (identity activation) with W_rec = I + c M has the drift φ(h, 0) Δt = alpha c M h. With active states
/// drawn from N(0, Σ), Σ = diag(4, 2, 1, 0.5), the true score is −Σ⁻¹ h: M = −Σ⁻¹ makes the drift a denoiser
/// (THEORY.md prediction 3), M = +Σ⁻¹ the opposite, and a rotation M is orthogonal to the score on average.
/// </summary>
public class DenoisingAlignmentTests
{
    private static readonly double[] Variances = [4, 2, 1, 0.5];
    private const int Count = 3000, Samples = 500;

    // A Gaussian KDE of a Gaussian sample is itself close to a (wider) Gaussian with the same axes, so its score has the
    // true score's direction up to the estimate's noise; 0.9 allows ~25 degrees of average error.
    private const double Aligned = 0.9;

    // Mean of a cosine that averages to zero over the data: 500 samples give a standard error of ~0.03.
    private const double Unaligned = 0.1;

    private static (VanillaRnn Model, float[] States) Setup(Func<int, int, double> m)
    {
        const int hidden = 4;
        var model = new VanillaRnn(new VanillaRnnOptions(1, hidden, 1, 1, Activation.Identity, 1f, 0.2f));
        Span<float> w = model.Parameters[VanillaRnn.RecurrentWeight];
        for (int i = 0; i < hidden; i++)
            for (int j = 0; j < hidden; j++)
                w[i * hidden + j] = (float)((i == j ? 1 : 0) + 0.1 * m(i, j));
        double[] z = AnalysisTestData.Normal(Count * hidden, 8);
        var states = new float[Count * hidden];
        for (int i = 0; i < Count; i++)
            for (int k = 0; k < hidden; k++) states[i * hidden + k] = (float)(Math.Sqrt(Variances[k]) * z[i * hidden + k]);
        return (model, states);
    }

    [Fact]
    public void DenoisingDriftAlignsWithTheScoreAndItsOppositeAntiAligns()
    {
        var (denoiser, states) = Setup((i, j) => i == j ? -1 / Variances[i] : 0);
        var result = DenoisingAlignment.Measure(denoiser, states, Count, 2, Samples, 3);
        Assert.True(result.MeanCosine > Aligned, $"mean cosine {result.MeanCosine:F3}");
        Assert.Equal(2, result.Components);
        Assert.Equal(6.0 / 7.5, result.ExplainedVarianceRatio, 1);
        Assert.Equal(Samples, result.Cosines.Length);

        var (amplifier, _) = Setup((i, j) => i == j ? 1 / Variances[i] : 0);
        Assert.True(DenoisingAlignment.Measure(amplifier, states, Count, 2, Samples, 3).MeanCosine < -Aligned);
    }

    [Fact]
    public void RotationalDriftIsUnalignedOnAverage()
    {
        var (rotation, states) = Setup((i, j) => (i, j) switch { (0, 1) => -1, (1, 0) => 1, _ => 0 });
        var result = DenoisingAlignment.Measure(rotation, states, Count, 2, Samples, 3);
        Assert.True(Math.Abs(result.MeanCosine) < Unaligned, $"mean cosine {result.MeanCosine:F3} ± {result.StandardError:F3}");
    }

    [Fact]
    public void BadArgumentsNameTheParameter()
    {
        var (model, states) = Setup((i, j) => 0);
        Assert.Equal("components", Assert.Throws<ArgumentOutOfRangeException>(() => DenoisingAlignment.Measure(model, states, Count, 5, 10, 1)).ParamName);
        Assert.Equal("samples", Assert.Throws<ArgumentOutOfRangeException>(() => DenoisingAlignment.Measure(model, states, Count, 2, 0, 1)).ParamName);
        Assert.Equal("activeHidden", Assert.Throws<ArgumentException>(() => DenoisingAlignment.Measure(model, states.AsSpan(1).ToArray(), Count, 2, 10, 1)).ParamName);
        // W_rec = I: no drift anywhere, so no cosine is defined.
        Assert.Throws<DegenerateDataException>(() => DenoisingAlignment.Measure(model, states, Count, 2, 10, 1));
    }
}
