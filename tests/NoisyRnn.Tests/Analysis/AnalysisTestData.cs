namespace NoisyRnn.Tests.Analysis;

/// <summary>Seeded synthetic data for the analysis tests (a tiny Box-Muller over System.Random with a fixed seed).</summary>
internal static class AnalysisTestData
{
    public static double[] Normal(int count, int seed, double mean = 0, double std = 1)
    {
        var rng = new Random(seed);
        var result = new double[count];
        for (int i = 0; i < count; i += 2)
        {
            double u1 = 1.0 - rng.NextDouble(); // (0, 1]
            double u2 = rng.NextDouble();
            double r = Math.Sqrt(-2 * Math.Log(u1));
            result[i] = mean + std * r * Math.Cos(2 * Math.PI * u2);
            if (i + 1 < count) result[i + 1] = mean + std * r * Math.Sin(2 * Math.PI * u2);
        }
        return result;
    }

    public static double[] Uniform(int count, int seed, double low, double high)
    {
        var rng = new Random(seed);
        var result = new double[count];
        for (int i = 0; i < count; i++) result[i] = low + (high - low) * rng.NextDouble();
        return result;
    }

    /// <summary>Naive density of an equal-weight Gaussian KDE with a given kernel covariance ([d, d]), for d = 1 or 2.</summary>
    public static double NaiveLogDensity(double[] data, int d, double[] kernel, ReadOnlySpan<double> x)
    {
        int n = data.Length / d;
        double logDet, i00, i01 = 0, i11 = 0;
        if (d == 1)
        {
            logDet = Math.Log(kernel[0]);
            i00 = 1 / kernel[0];
        }
        else
        {
            double det = kernel[0] * kernel[3] - kernel[1] * kernel[2];
            logDet = Math.Log(det);
            i00 = kernel[3] / det;
            i01 = -kernel[1] / det;
            i11 = kernel[0] / det;
        }
        var exponents = new double[n];
        double max = double.NegativeInfinity;
        for (int i = 0; i < n; i++)
        {
            double a = x[0] - data[i * d];
            double q = d == 1 ? a * a * i00 : a * a * i00 + 2 * a * (x[1] - data[i * d + 1]) * i01 + (x[1] - data[i * d + 1]) * (x[1] - data[i * d + 1]) * i11;
            exponents[i] = -0.5 * q;
            max = Math.Max(max, exponents[i]);
        }
        double sum = 0;
        foreach (double e in exponents) sum += Math.Exp(e - max);
        return max + Math.Log(sum) - Math.Log(n) - 0.5 * d * Math.Log(2 * Math.PI) - 0.5 * logDet;
    }
}
