using NoisyRnn.Kernels;

namespace NoisyRnn.Tests.Kernels;

public class GuardParallelTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1_234_567)]
    [InlineData((1 << 21) + 6)]
    public void LongSpansNameTheFirstNonFiniteElementOnAnyThreadCount(int position)
    {
        var values = new float[(1 << 21) + 7]; // long enough to be checked on all cores
        Guard.AllFinite(values, "values");
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            values[position] = bad;
            foreach (int threads in new[] { 1, 2 })
            {
                int saved = Gemm.MaxThreads;
                Gemm.MaxThreads = threads;
                try
                {
                    var e = Assert.Throws<ArgumentException>(() => Guard.AllFinite(values, "values"));
                    Assert.Equal("values", e.ParamName);
                    Assert.Contains($"element {position} is", e.Message);
                }
                finally
                {
                    Gemm.MaxThreads = saved;
                }
            }
            values[position] = 1f;
        }
        Guard.AllFinite(values, "values");
    }
}
