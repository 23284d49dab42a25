using NoisyRnn.Kernels;
using NoisyRnn.Training;

namespace NoisyRnn.Tests.Training;

public class MseLossParallelTests
{
    [Fact]
    public void LargeLossesHaveTheSameBitsOnOneThreadAndAllCoresAndMatchTheDefinition()
    {
        // Above the parallel length, and not a whole number of chunks.
        const int n = (1 << 19) + 1234;
        var rng = new Random(7);
        float[] y = new float[n], t = new float[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = (float)rng.NextDouble();
            t[i] = (float)(rng.NextDouble() * 2);
        }
        (double Loss, float[] Gradient) Run(int threads)
        {
            int saved = Gemm.MaxThreads;
            Gemm.MaxThreads = threads;
            try
            {
                var g = new float[n];
                return (MseLoss.Compute(y, t, g), g);
            }
            finally
            {
                Gemm.MaxThreads = saved;
            }
        }
        var one = Run(1);
        var two = Run(2);
        Assert.Equal(BitConverter.DoubleToInt64Bits(one.Loss), BitConverter.DoubleToInt64Bits(two.Loss));
        Assert.Equal(one.Gradient, two.Gradient);

        double expected = 0;
        for (int i = 0; i < n; i++) expected += ((double)y[i] - t[i]) * ((double)y[i] - t[i]);
        expected /= n;
        // float32 differences and per-chunk float sums of 4096 squares: relative error well below 1e-5.
        Assert.Equal(expected, two.Loss, expected * 1e-5);
        for (int i = 0; i < n; i += 9973) Assert.Equal(2.0 * (y[i] - t[i]) / n, two.Gradient[i], 1e-6 / n);
    }

    [Theory]
    [InlineData(4095)]
    [InlineData(4096)]
    [InlineData(4097)]
    [InlineData((1 << 18) - 1)]
    [InlineData(1 << 18)]
    [InlineData((1 << 18) + 1)]
    public void NonFiniteValuesInAnyChunkAreReportedTheDocumentedWay(int n)
    {
        var rng = new Random(n);
        float[] y = Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble()).ToArray();
        float[] t = Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble()).ToArray();
        var g = new float[n];
        double finite = MseLoss.Compute(y, t, g);
        double expected = 0;
        for (int i = 0; i < n; i++) expected += ((double)y[i] - t[i]) * ((double)y[i] - t[i]);
        Assert.Equal(expected / n, finite, expected / n * 1e-5);
        // A diverged output in the last (possibly partial) chunk: a non-finite loss, no exception.
        y[n - 1] = float.NaN;
        Assert.True(double.IsNaN(MseLoss.Compute(y, t, g)));
        y[n - 1] = float.PositiveInfinity;
        Assert.Equal(double.PositiveInfinity, MseLoss.Compute(y, t, default));
        y[n - 1] = 0.5f;
        // A bad target anywhere: ArgumentException naming targets.
        t[n / 2] = float.NaN;
        Assert.Equal("targets", Assert.Throws<ArgumentException>(() => MseLoss.Compute(y, t, g)).ParamName);
        t[n / 2] = float.NegativeInfinity;
        Assert.Equal("targets", Assert.Throws<ArgumentException>(() => MseLoss.Compute(y, t, default)).ParamName);
    }

    [Fact]
    public void TheLossBitsDoNotDependOnWhereTheDataLies()
    {
        // Each chunk is summed in a fixed order whatever the alignment of the data (the fused training readout relies on
        // it to match MseLoss.Compute with its outputs in a scratch block rather than in the caller's array).
        const int n = 3 * 4096 + 77;
        var rng = new Random(5);
        var y = new float[n + 16];
        var t = new float[n + 16];
        for (int i = 0; i < y.Length; i++) { y[i] = (float)rng.NextDouble(); t[i] = (float)rng.NextDouble(); }
        double? first = null;
        float[]? firstGradient = null;
        for (int offset = 0; offset < 16; offset++)
        {
            // The same values at a different address: copy them to the offset.
            var ys = new float[n + 16];
            var ts = new float[n + 16];
            Array.Copy(y, 0, ys, offset, n);
            Array.Copy(t, 0, ts, offset, n);
            var g = new float[n + 16];
            double loss = MseLoss.Compute(ys.AsSpan(offset, n), ts.AsSpan(offset, n), g.AsSpan(offset, n));
            float[] gradient = g.AsSpan(offset, n).ToArray();
            first ??= loss;
            firstGradient ??= gradient;
            Assert.Equal(BitConverter.DoubleToInt64Bits(first.Value), BitConverter.DoubleToInt64Bits(loss));
            Assert.Equal(firstGradient, gradient);
        }
        double exact = 0;
        for (int i = 0; i < n; i++) exact += ((double)y[i] - t[i]) * ((double)y[i] - t[i]);
        Assert.Equal(exact / n, first!.Value, exact / n * 1e-5);
    }
}
