using NoisyRnn.Training;

namespace NoisyRnn.Tests.Training;

public class AdamVectorTests
{
    /// <summary>The update written element by element, in the order of torch's float32 Adam (the scalar form of Adam.Step).</summary>
    private static void ScalarStep(AdamOptions o, int step, float[] p, float[] g, float[] m, float[] v)
    {
        float b1 = (float)o.Beta1, b2 = (float)o.Beta2, eps = (float)o.Epsilon, wd = (float)o.WeightDecay;
        float stepSize = (float)(o.LearningRate / (1 - Math.Pow(b1, step)));
        float invBc2Sqrt = (float)Math.Sqrt(1 - Math.Pow(b2, step));
        float oneMinusB1 = (float)(1 - o.Beta1), oneMinusB2 = (float)(1 - o.Beta2);
        for (int i = 0; i < p.Length; i++)
        {
            float gi = g[i];
            if (wd != 0) gi += wd * p[i];
            float mi = m[i] * b1 + gi * oneMinusB1;
            float vi = v[i] * b2 + gi * gi * oneMinusB2;
            m[i] = mi;
            v[i] = vi;
            float denom = MathF.Sqrt(vi) / invBc2Sqrt + eps;
            p[i] -= stepSize * (mi / denom);
        }
    }

    [Theory]
    [InlineData(0.0, 1003)]
    [InlineData(1e-2, 1003)]
    [InlineData(0.0, 7)]
    public void VectorisedStepHasTheBitsOfTheScalarLoop(double weightDecay, int n)
    {
        var options = new AdamOptions { LearningRate = 3e-3, WeightDecay = weightDecay };
        var rng = new Random(4);
        float[] p = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        float[] expected = (float[])p.Clone(), m = new float[n], v = new float[n];
        var adam = new Adam(options, n);
        for (int step = 1; step <= 4; step++)
        {
            // Gradients over many magnitudes, including exact zeros.
            float[] g = Enumerable.Range(0, n).Select(i => i % 11 == 0 ? 0f : (float)((rng.NextDouble() - 0.5) * Math.Pow(10, -(i % 9)))).ToArray();
            adam.Step(p, g);
            ScalarStep(options, step, expected, g, m, v);
            for (int i = 0; i < n; i++)
                Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(p[i]), $"step {step}, element {i}: {expected[i]} vs {p[i]}");
        }
    }
}
