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
}
