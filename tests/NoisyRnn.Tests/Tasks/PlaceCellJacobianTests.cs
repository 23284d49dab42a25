using NoisyRnn.Tasks;

namespace NoisyRnn.Tests.Tasks;

public class PlaceCellJacobianTests
{
    // Central differences of a float64 softmax with h = 1e-5 m: truncation h²|f'''|/6 ≲ 1e-10·(1/σ³) and rounding
    // ~1e-16/h; the Jacobian itself is rounded to float32 (6e-8 relative of values up to ~1/σ = 5 per m).
    private const double Step = 1e-5;
    private const double Tolerance = 1e-6;

    // Finite differences of the float32 Encode itself (h = 1e-3 m): rounding ~1e-7/1e-3 = 1e-4 per m plus truncation.
    private const double EncodeStep = 1e-3;
    private const double EncodeTolerance = 2e-3;

    private static double[] SoftmaxCode(PlaceCells cells, double x, double y)
    {
        var a = new double[cells.Count];
        double max = double.NegativeInfinity;
        for (int i = 0; i < cells.Count; i++)
        {
            double dx = x - cells.Centers[2 * i], dy = y - cells.Centers[2 * i + 1];
            a[i] = -(dx * dx + dy * dy) / (2 * cells.Sigma * cells.Sigma);
            max = Math.Max(max, a[i]);
        }
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += a[i] = Math.Exp(a[i] - max);
        for (int i = 0; i < a.Length; i++) a[i] /= sum;
        return a;
    }

    [Fact]
    public void JacobianMatchesFiniteDifferencesAndRowsSumToZero()
    {
        var cells = PlaceCells.CreateRandom(64, 0.2, 2.2, 2.2, seed: 5);
        float[] positions = [0.1f, -0.3f, 1.0f, 1.05f, -0.9f, 0.4f, 0f, 0f];
        int n = positions.Length / 2;
        var jacobian = new float[n * cells.Count * 2];
        cells.Jacobian(positions, jacobian);
        var plus = new float[cells.Count];
        var minus = new float[cells.Count];
        for (int r = 0; r < n; r++)
        {
            double x = positions[2 * r], y = positions[2 * r + 1];
            double[] dxPlus = SoftmaxCode(cells, x + Step, y), dxMinus = SoftmaxCode(cells, x - Step, y);
            double[] dyPlus = SoftmaxCode(cells, x, y + Step), dyMinus = SoftmaxCode(cells, x, y - Step);
            double sumX = 0, sumY = 0;
            for (int i = 0; i < cells.Count; i++)
            {
                float jx = jacobian[(r * cells.Count + i) * 2], jy = jacobian[(r * cells.Count + i) * 2 + 1];
                Assert.Equal((dxPlus[i] - dxMinus[i]) / (2 * Step), jx, Tolerance);
                Assert.Equal((dyPlus[i] - dyMinus[i]) / (2 * Step), jy, Tolerance);
                sumX += jx;
                sumY += jy;
            }
            Assert.Equal(0.0, sumX, 5);
            Assert.Equal(0.0, sumY, 5);

            // Consistent with the library's own float32 code too.
            cells.Encode([(float)(x + EncodeStep), (float)y], plus);
            cells.Encode([(float)(x - EncodeStep), (float)y], minus);
            for (int i = 0; i < cells.Count; i++)
                Assert.Equal((plus[i] - minus[i]) / (2 * EncodeStep), jacobian[(r * cells.Count + i) * 2], EncodeTolerance);
        }
    }

    [Fact]
    public void BadArgumentsNameTheParameter()
    {
        var cells = PlaceCells.CreateRandom(8, 0.2, 2.2, 2.2, seed: 1);
        Assert.Equal("jacobian", Assert.Throws<ArgumentException>(() => cells.Jacobian([0f, 0f], new float[15])).ParamName);
        Assert.Equal("positions", Assert.Throws<ArgumentException>(() => cells.Jacobian([0f], new float[16])).ParamName);
        Assert.Equal("positions", Assert.Throws<ArgumentException>(() => cells.Jacobian([0f, float.NaN], new float[16])).ParamName);
    }
}
