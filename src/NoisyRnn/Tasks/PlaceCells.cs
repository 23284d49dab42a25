using System.Numerics.Tensors;
using NoisyRnn.Kernels;

namespace NoisyRnn.Tasks;

/// <summary>
/// Simulated place cells with Gaussian tuning normalised by a softmax over cells (Krishna et al., ICLR 2024,
/// section 4.1; Sorscher et al.): the population code of position x is
/// a_i(x) = softmax_i( -||x - c_i||^2 / (2 sigma^2) ), so the activations of one position are non-negative and sum
/// to 1. Reference: <c>PlaceCells.get_activation</c> and <c>decode_pos</c> in <c>tasks/spatial_navigation.py</c>
/// (whose difference-of-Gaussians branch raises an error; <see cref="PlaceCellTuning.DifferenceOfGaussians"/> follows
/// Sorscher et al.'s grid-cell code instead, see <see cref="WithTuning"/>).
/// </summary>
/// <remarks>Instances are immutable and safe to share between threads.</remarks>
public sealed class PlaceCells : ITargetEncoder
{
    /// <summary>Rows per parallel work item in <see cref="Encode"/>; small problems run on the calling thread.</summary>
    private const int RowsPerChunk = 64;

    /// <summary>Cell-row products below which <see cref="Encode"/> stays on one thread.</summary>
    private const long ParallelThreshold = 1 << 17;

    /// <summary>Largest k for which <see cref="Decode"/> keeps its top-k list by insertion; larger k sorts the row.</summary>
    private const int InsertionTopKLimit = 16;

    private readonly float[] _centers; // [cells, 2] interleaved
    private readonly float[] _centerX; // [cells]
    private readonly float[] _centerY; // [cells]

    /// <summary>Creates place cells from given centres (for example the reference fixture's <c>place_cell_centers</c>).</summary>
    /// <param name="centers">Centres, [cells, 2] row-major (x, y), m; finite; copied. At least one cell.</param>
    /// <param name="sigma">Tuning width, m; finite and &gt; 0 with 2 sigma^2 a normal float64 (about 1e-154 to 1e154; paper: 0.2).</param>
    /// <exception cref="ArgumentException"><paramref name="centers"/> is empty, has odd length or a non-finite value.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sigma"/> is not finite and positive, or 2 sigma^2
    /// underflows or overflows float64.</exception>
    public PlaceCells(ReadOnlySpan<float> centers, double sigma)
    {
        if (centers.Length == 0 || centers.Length % 2 != 0)
            throw new ArgumentException($"centers has length {centers.Length}; expected a positive even length = cells * 2.", nameof(centers));
        Guard.AllFinite(centers, nameof(centers));
        Guard.Positive(sigma);
        if (!double.IsNormal(2.0 * sigma * sigma))
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "sigma must be between about 1e-154 and 1e154 m so that 2 sigma^2 is a normal float64.");
        Sigma = sigma;
        _centers = centers.ToArray();
        Count = centers.Length / 2;
        _centerX = new float[Count];
        _centerY = new float[Count];
        for (int i = 0; i < Count; i++)
        {
            _centerX[i] = _centers[2 * i];
            _centerY[i] = _centers[2 * i + 1];
        }
    }

    /// <summary>Number of cells; &gt; 0.</summary>
    public int Count { get; }

    /// <summary>Tuning curve; <see cref="PlaceCellTuning.Gaussian"/> unless created by <see cref="WithTuning"/>.</summary>
    public PlaceCellTuning Tuning { get; private init; }

    /// <summary>Surround scale s of the difference of Gaussians (the surround's variance is s sigma^2), dimensionless;
    /// &gt; 1. Used only by <see cref="PlaceCellTuning.DifferenceOfGaussians"/>; 2 (Sorscher et al.'s default) otherwise.</summary>
    public double SurroundScale { get; private init; } = 2.0;

    /// <summary>
    /// Returns place cells with the same centres and width and the given tuning curve (this instance is unchanged).
    /// </summary>
    /// <param name="tuning">The tuning curve.</param>
    /// <param name="surroundScale">Surround scale s, dimensionless; finite and &gt; 1, with 2 s sigma^2 a normal float64
    /// (Sorscher et al.: 2). Ignored (but still validated) for <see cref="PlaceCellTuning.Gaussian"/>.</param>
    /// <returns>New place cells.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tuning"/> is not a defined value, or
    /// <paramref name="surroundScale"/> is not finite and &gt; 1, or 2 s sigma^2 overflows float64.</exception>
    public PlaceCells WithTuning(PlaceCellTuning tuning, double surroundScale = 2.0)
    {
        if (!Enum.IsDefined(tuning)) throw new ArgumentOutOfRangeException(nameof(tuning), tuning, "Unknown tuning.");
        if (!(surroundScale > 1) || !double.IsFinite(surroundScale) || !double.IsNormal(2.0 * surroundScale * Sigma * Sigma))
            throw new ArgumentOutOfRangeException(nameof(surroundScale), surroundScale, "surroundScale must be finite and > 1, with 2 s sigma^2 a normal float64.");
        return new PlaceCells(_centers, Sigma) { Tuning = tuning, SurroundScale = surroundScale };
    }

    /// <summary>Tuning width sigma, m.</summary>
    public double Sigma { get; }

    /// <summary>Centres, [cells, 2] row-major (x, y), m.</summary>
    public ReadOnlySpan<float> Centers => _centers;

    /// <summary>
    /// Creates <paramref name="count"/> cells with centres drawn uniformly in the box [-W/2, W/2] x [-H/2, H/2], as the
    /// reference does (all x first, then all y), from a <see cref="SeededTaskRandom"/> with the given seed.
    /// </summary>
    /// <param name="count">Number of cells; &gt; 0 (paper: 512).</param>
    /// <param name="sigma">Tuning width, m; &gt; 0 (paper: 0.2).</param>
    /// <param name="boxWidth">Box width W, m; &gt; 0 (paper: 2.2).</param>
    /// <param name="boxHeight">Box height H, m; &gt; 0 (paper: 2.2).</param>
    /// <param name="seed">Seed of the centre stream.</param>
    /// <returns>The place cells.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size or width is not positive and finite, or sigma is outside the range the constructor accepts.</exception>
    public static PlaceCells CreateRandom(int count, double sigma, double boxWidth, double boxHeight, ulong seed) =>
        CreateRandom(count, sigma, boxWidth, boxHeight, new SeededTaskRandom(seed));

    /// <summary>As <see cref="CreateRandom(int, double, double, double, ulong)"/>, drawing from a given stream: U(-W/2, W/2) [count], then U(-H/2, H/2) [count].</summary>
    /// <param name="count">Number of cells; &gt; 0.</param>
    /// <param name="sigma">Tuning width, m; &gt; 0.</param>
    /// <param name="boxWidth">Box width W, m; &gt; 0.</param>
    /// <param name="boxHeight">Box height H, m; &gt; 0.</param>
    /// <param name="random">The stream the centres are drawn from.</param>
    /// <returns>The place cells.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size or width is not positive and finite, or sigma is outside the range the constructor accepts.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    public static PlaceCells CreateRandom(int count, double sigma, double boxWidth, double boxHeight, ITaskRandom random)
    {
        Guard.Positive(count);
        Guard.Positive(sigma);
        Guard.Positive(boxWidth);
        Guard.Positive(boxHeight);
        ArgumentNullException.ThrowIfNull(random);
        var xs = new double[count];
        var ys = new double[count];
        random.Uniform(-boxWidth / 2, boxWidth / 2, xs);
        random.Uniform(-boxHeight / 2, boxHeight / 2, ys);
        var centers = new float[2 * count];
        for (int i = 0; i < count; i++)
        {
            centers[2 * i] = (float)xs[i];
            centers[2 * i + 1] = (float)ys[i];
        }
        return new PlaceCells(centers, sigma);
    }

    /// <summary>
    /// Population code of each position: activations[n, i] = exp(-d_i^2 / (2 sigma^2)) / sum_j exp(-d_j^2 / (2 sigma^2)),
    /// d_i = ||x_n - c_i||, computed in float32 and stabilised by subtracting the largest logit (so any finite
    /// position, however far from every centre, gives finite activations summing to 1). Vectorised and, for large
    /// inputs, parallel over positions; each row is computed independently, so results do not depend on the
    /// thread count.
    /// <para>With <see cref="PlaceCellTuning.DifferenceOfGaussians"/> (computed in float64, rounded once): g = softmax(-d^2 /
    /// (2 sigma^2)), h = softmax(-d^2 / (2 s sigma^2)), u = g - h, then a = (u + |min_j u_j|) / sum_i (u_i + |min_j u_j|) (Sorscher et
    /// al.'s <c>get_activation</c> with <c>DoG=True</c>). Rows are &gt;= 0 and sum to 1; the least active cell, on the
    /// surround ring, is exactly 0, and since u sums to 0 a cell far from the position (u about 0) sits at about the mean
    /// 1/cells. When u is 0 everywhere (one cell, or a position so far away that both softmaxes are the same one-hot row)
    /// the reference divides 0 by 0; NoisyRnn returns the uniform row 1/cells.</para>
    /// </summary>
    /// <param name="positions">Positions, [n, 2] row-major (x, y), m; finite; n may be 0.</param>
    /// <param name="activations">Receives [n, cells] row-major activations.</param>
    /// <exception cref="ArgumentException"><paramref name="positions"/> has odd length or a non-finite value, or <paramref name="activations"/> is not n * cells long.</exception>
    public void Encode(ReadOnlySpan<float> positions, Span<float> activations)
    {
        int rows = CheckPositions(positions, nameof(positions));
        Guard.Length(activations.Length, (long)rows * Count, nameof(activations), $"{rows} positions x {Count} cells");
        if (rows == 0) return;
        float twoSigmaSquared = (float)(2.0 * Sigma * Sigma);
        if (Tuning == PlaceCellTuning.DifferenceOfGaussians)
        {
            double[] scratch = DifferenceOfGaussiansScratch();
            for (int r = 0; r < rows; r++)
                EncodeRowDifferenceOfGaussians(positions[2 * r], positions[2 * r + 1], activations.Slice(r * Count, Count), scratch);
            return;
        }

        if ((long)rows * Count < ParallelThreshold || Environment.ProcessorCount == 1)
        {
            for (int r = 0; r < rows; r++)
                EncodeRow(positions[2 * r], positions[2 * r + 1], twoSigmaSquared, activations.Slice(r * Count, Count));
            return;
        }

        unsafe
        {
            fixed (float* pPos = positions)
            fixed (float* pAct = activations)
            {
                nint posAddress = (nint)pPos, actAddress = (nint)pAct;
                int chunks = (rows + RowsPerChunk - 1) / RowsPerChunk;
                Parallel.For(0, chunks, chunk =>
                {
                    int start = chunk * RowsPerChunk, end = Math.Min(rows, start + RowsPerChunk);
                    var pos = new ReadOnlySpan<float>((float*)posAddress, 2 * rows);
                    var act = new Span<float>((float*)actAddress, rows * Count);
                    for (int r = start; r < end; r++)
                        EncodeRow(pos[2 * r], pos[2 * r + 1], twoSigmaSquared, act.Slice(r * Count, Count));
                });
            }
        }
    }

    /// <summary>
    /// Decodes positions as the mean of the centres of the <paramref name="k"/> most active cells (the reference's
    /// top-3 decoding, <c>decode_pos</c>). Ties are broken deterministically: cells are ranked by activation, then
    /// by lower cell index; the mean sums the chosen centres in rank order in float32 and divides by k, as numpy's
    /// float32 mean does.
    /// </summary>
    /// <param name="activations">Activations, [n, cells] row-major; finite; any scale (network outputs are fine).</param>
    /// <param name="positions">Receives [n, 2] row-major (x, y), m.</param>
    /// <param name="k">Number of cells averaged; in [1, cells]. Default 3 (paper).</param>
    /// <exception cref="ArgumentException">A length is not a multiple of the cell count / does not match, or an activation is not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is outside [1, cells].</exception>
    public void Decode(ReadOnlySpan<float> activations, Span<float> positions, int k = 3)
    {
        if (k < 1 || k > Count) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in [1, {Count}].");
        if (activations.Length % Count != 0)
            throw new ArgumentException($"activations has length {activations.Length}; expected a multiple of {Count} = n x cells.", nameof(activations));
        int rows = activations.Length / Count;
        Guard.Length(positions.Length, 2L * rows, nameof(positions), $"{rows} rows x 2");
        Guard.AllFinite(activations, nameof(activations));

        unsafe
        {
            fixed (float* pa = activations, pp = positions)
            {
                float* a = pa, p = pp;
                // Rows are decoded independently: long inputs (a quiescent chunk is 20,000 rows) are split over the cores.
                WorkerPool.ForRanges(rows, (long)rows * Count >= ParallelDecodeLength ? WorkerPool.MaxThreads : 1,
                    (r0, r1) => DecodeRows(new ReadOnlySpan<float>(a + (nint)r0 * Count, (r1 - r0) * Count), new Span<float>(p + 2 * (nint)r0, 2 * (r1 - r0)), k));
            }
        }
    }

    /// <summary>Activations of at least this many floats are decoded on all cores.</summary>
    private const int ParallelDecodeLength = 1 << 18;

    /// <summary>The loop of <see cref="Decode"/> over whole rows (arguments checked).</summary>
    private void DecodeRows(ReadOnlySpan<float> activations, Span<float> positions, int k)
    {
        int rows = activations.Length / Count;
        Span<int> top = k <= InsertionTopKLimit ? stackalloc int[k] : new int[k];
        int[]? order = k > InsertionTopKLimit ? new int[Count] : null;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = activations.Slice(r * Count, Count);
            if (order is null) TopKByInsertion(row, top);
            else TopKBySorting(row, order, top);
            float sx = 0, sy = 0;
            for (int j = 0; j < k; j++)
            {
                sx += _centerX[top[j]];
                sy += _centerY[top[j]];
            }
            positions[2 * r] = sx / k;
            positions[2 * r + 1] = sy / k;
        }
    }

    /// <summary>
    /// Jacobian of the place code with respect to position, in closed form (THEORY.md, "Measuring the decomposition":
    /// J_f(s) ṡ Δt approximates f(s_{t+1}) − f(s_t)). With logits l_i = −||x − c_i||² / (2 sigma²) and a = softmax(l),
    /// ∂l_i/∂x = (c_i − x) / sigma², so ∂a_i/∂x = a_i (∂l_i/∂x − Σ_j a_j ∂l_j/∂x) = a_i (c_i − c̄(x)) / sigma², where
    /// c̄(x) = Σ_j a_j(x) c_j is the activation-weighted mean centre. Each row sums to zero over cells (the code
    /// always sums to 1). Computed in float64 with the largest logit subtracted, then rounded to float32.
    /// </summary>
    /// <param name="positions">Positions, [n, 2] row-major (x, y), m; finite; n may be 0.</param>
    /// <param name="jacobian">Receives ∂a_i/∂(x, y), [n, cells, 2] row-major, in 1/m.</param>
    /// <exception cref="ArgumentException"><paramref name="positions"/> has odd length or a non-finite value, or
    /// <paramref name="jacobian"/> is not n * cells * 2 long.</exception>
    /// <exception cref="NotSupportedException"><see cref="Tuning"/> is <see cref="PlaceCellTuning.DifferenceOfGaussians"/>
    /// (its row-minimum shift is not differentiable everywhere; no closed form is provided).</exception>
    public void Jacobian(ReadOnlySpan<float> positions, Span<float> jacobian)
    {
        if (Tuning != PlaceCellTuning.Gaussian)
            throw new NotSupportedException("Jacobian is only available for Gaussian place-cell tuning.");
        int rows = CheckPositions(positions, nameof(positions));
        Guard.Length(jacobian.Length, (long)rows * Count * 2, nameof(jacobian), $"[n, cells, 2] = [{rows}, {Count}, 2]");
        double twoSigmaSquared = 2.0 * Sigma * Sigma, inverseSigmaSquared = 1.0 / (Sigma * Sigma);
        var a = new double[Count];
        for (int r = 0; r < rows; r++)
        {
            double px = positions[2 * r], py = positions[2 * r + 1];
            double max = double.NegativeInfinity;
            for (int i = 0; i < Count; i++)
            {
                double dx = px - _centerX[i], dy = py - _centerY[i];
                a[i] = -(dx * dx + dy * dy) / twoSigmaSquared;
                max = Math.Max(max, a[i]);
            }
            double sum = 0;
            for (int i = 0; i < Count; i++)
            {
                a[i] = Math.Exp(a[i] - max);
                sum += a[i];
            }
            double meanX = 0, meanY = 0;
            for (int i = 0; i < Count; i++)
            {
                a[i] /= sum;
                meanX += a[i] * _centerX[i];
                meanY += a[i] * _centerY[i];
            }
            Span<float> row = jacobian.Slice(r * Count * 2, Count * 2);
            for (int i = 0; i < Count; i++)
            {
                row[2 * i] = (float)(a[i] * (_centerX[i] - meanX) * inverseSigmaSquared);
                row[2 * i + 1] = (float)(a[i] * (_centerY[i] - meanY) * inverseSigmaSquared);
            }
        }
    }

    /// <summary>Scalar twin of <see cref="Encode"/> (one thread, no SIMD), the test oracle.</summary>
    internal void EncodeScalar(ReadOnlySpan<float> positions, Span<float> activations)
    {
        int rows = CheckPositions(positions, nameof(positions));
        Guard.Length(activations.Length, (long)rows * Count, nameof(activations), $"{rows} positions x {Count} cells");
        float twoSigmaSquared = (float)(2.0 * Sigma * Sigma);
        if (Tuning == PlaceCellTuning.DifferenceOfGaussians)
        {
            double[] scratch = DifferenceOfGaussiansScratch();
            for (int r = 0; r < rows; r++)
                EncodeRowDifferenceOfGaussians(positions[2 * r], positions[2 * r + 1], activations.Slice(r * Count, Count), scratch);
            return;
        }
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = activations.Slice(r * Count, Count);
            float px = positions[2 * r], py = positions[2 * r + 1];
            float min = float.PositiveInfinity;
            for (int i = 0; i < Count; i++)
            {
                float dx = px - _centerX[i], dy = py - _centerY[i];
                row[i] = dx * dx + dy * dy;
                min = Math.Min(min, row[i]);
            }
            if (!float.IsFinite(min / twoSigmaSquared))
            {
                EncodeRowDouble(px, py, row);
                continue;
            }
            float sum = 0;
            for (int i = 0; i < Count; i++)
            {
                row[i] = MathF.Exp(-row[i] / twoSigmaSquared - -min / twoSigmaSquared);
                sum += row[i];
            }
            float inv = 1f / sum;
            for (int i = 0; i < Count; i++) row[i] *= inv;
        }
    }

    /// <summary>
    /// <see cref="Encode"/> on the calling thread without its argument checks (the caller has checked the shapes; the
    /// positions come from the task): the training readout encodes its targets this way, a few rows at a time, and the
    /// checks' messages would be formatted on every call. Same bits per row.
    /// </summary>
    void ITargetEncoder.EncodeRows(ReadOnlySpan<float> positions, Span<float> activations)
    {
        int rows = positions.Length / 2;
        if (Tuning == PlaceCellTuning.DifferenceOfGaussians)
        {
            double[] scratch = DifferenceOfGaussiansScratch();
            for (int r = 0; r < rows; r++)
                EncodeRowDifferenceOfGaussians(positions[2 * r], positions[2 * r + 1], activations.Slice(r * Count, Count), scratch);
            return;
        }
        float twoSigmaSquared = (float)(2.0 * Sigma * Sigma);
        for (int r = 0; r < rows; r++) EncodeRow(positions[2 * r], positions[2 * r + 1], twoSigmaSquared, activations.Slice(r * Count, Count));
    }

    [ThreadStatic] private static double[]? t_scratch;

    /// <summary>A per-thread buffer of 2 x cells doubles for difference-of-Gaussians rows (encoding runs row group by row
    /// group inside the training readout, so a new buffer per call would be garbage on every group).</summary>
    private double[] DifferenceOfGaussiansScratch() =>
        t_scratch is { } buffer && buffer.Length >= 2 * Count ? buffer : (t_scratch = new double[2 * Count]);

    private static int CheckPositions(ReadOnlySpan<float> positions, string name)
    {
        if (positions.Length % 2 != 0)
            throw new ArgumentException($"{name} has length {positions.Length}; expected an even length = n x 2.", name);
        Guard.AllFinite(positions, name);
        return positions.Length / 2;
    }

    /// <summary>One row: squared distances (vectorised, tracking the minimum), then shifted logits, exp and normalisation.</summary>
    private void EncodeRow(float px, float py, float twoSigmaSquared, Span<float> row)
    {
        float min = PlanarDistances.Squared(px, py, _centerX, _centerY, row, Isa.Tier);
        if (!float.IsFinite(min / twoSigmaSquared))
        {
            // Every squared distance overflowed float32 (|x| beyond ~1e19 m), or the largest logit did (a tuning width so
            // narrow that 2 sigma^2 is tiny or 0 in float32): redo the row in float64.
            EncodeRowDouble(px, py, row);
            return;
        }
        // logit_i = -d_i^2 / (2 sigma^2), a float32 division as in the reference (a multiplication by the reciprocal
        // is faster but moves large logits by an ulp, ~4e-6 relative on small activations). The largest logit
        // belongs to the smallest distance; subtracting it keeps every exponent <= 0, so exp never overflows and the
        // largest term is exactly 1.
        TensorPrimitives.Divide(row, -twoSigmaSquared, row);
        TensorPrimitives.Subtract(row, -min / twoSigmaSquared, row);
        TensorPrimitives.Exp(row, row);
        float sum = TensorPrimitives.Sum(row);
        TensorPrimitives.Multiply(row, 1f / sum, row);
    }

    /// <summary>One difference-of-Gaussians row in float64 (see <see cref="Encode"/>); <paramref name="scratch"/> holds 2 x cells.</summary>
    private void EncodeRowDifferenceOfGaussians(double px, double py, Span<float> row, double[] scratch)
    {
        int n = row.Length;
        Span<double> centre = scratch.AsSpan(0, n), surround = scratch.AsSpan(n, n);
        for (int i = 0; i < n; i++)
        {
            double dx = px - _centerX[i], dy = py - _centerY[i];
            centre[i] = dx * dx + dy * dy;
        }
        Softmax(centre, surround, 2.0 * Sigma * Sigma, 2.0 * SurroundScale * Sigma * Sigma);
        double min = double.PositiveInfinity;
        for (int i = 0; i < n; i++)
        {
            centre[i] -= surround[i];
            min = Math.Min(min, centre[i]);
        }
        double shift = Math.Abs(min), sum = 0;
        for (int i = 0; i < n; i++)
        {
            centre[i] += shift;
            sum += centre[i];
        }
        if (!(sum > 0))
        {
            row.Fill(1f / n); // u = 0 everywhere: the reference's 0 / 0
            return;
        }
        for (int i = 0; i < n; i++) row[i] = (float)(centre[i] / sum);
    }

    /// <summary>From squared distances in <paramref name="centre"/>: centre = softmax(-d^2 / a), surround = softmax(-d^2 / b), both stabilised.</summary>
    private static void Softmax(Span<double> centre, Span<double> surround, double a, double b)
    {
        double min = double.PositiveInfinity;
        foreach (double d in centre) min = Math.Min(min, d);
        double sumA = 0, sumB = 0;
        for (int i = 0; i < centre.Length; i++)
        {
            double d = centre[i];
            surround[i] = Math.Exp(-(d - min) / b);
            centre[i] = Math.Exp(-(d - min) / a);
            sumA += centre[i];
            sumB += surround[i];
        }
        for (int i = 0; i < centre.Length; i++)
        {
            centre[i] /= sumA;
            surround[i] /= sumB;
        }
    }

    /// <summary>Float64 fallback for positions so far away, or tuning so narrow, that the float32 logits overflow.</summary>
    private void EncodeRowDouble(double px, double py, Span<float> row)
    {
        double twoSigmaSquared = 2.0 * Sigma * Sigma;
        var logits = new double[row.Length];
        double max = double.NegativeInfinity;
        for (int i = 0; i < row.Length; i++)
        {
            double dx = px - _centerX[i], dy = py - _centerY[i];
            logits[i] = -(dx * dx + dy * dy) / twoSigmaSquared;
            max = Math.Max(max, logits[i]);
        }
        double sum = 0;
        for (int i = 0; i < row.Length; i++)
        {
            logits[i] = Math.Exp(logits[i] - max);
            sum += logits[i];
        }
        for (int i = 0; i < row.Length; i++) row[i] = (float)(logits[i] / sum);
    }

    /// <summary>Top k indices of a row, ranked by activation (descending), then by index (ascending).</summary>
    private static void TopKByInsertion(ReadOnlySpan<float> row, Span<int> top)
    {
        int k = top.Length, filled = 0;
        for (int i = 0; i < row.Length; i++)
        {
            float v = row[i];
            if (filled == k && !(v > row[top[k - 1]])) continue; // an equal value never displaces a lower index
            int p = filled < k ? filled++ : k - 1;
            while (p > 0 && v > row[top[p - 1]])
            {
                top[p] = top[p - 1];
                p--;
            }
            top[p] = i;
        }
    }

    private static void TopKBySorting(ReadOnlySpan<float> row, int[] order, Span<int> top)
    {
        for (int i = 0; i < order.Length; i++) order[i] = i;
        float[] values = row.ToArray();
        Array.Sort(order, (a, b) =>
        {
            int c = values[b].CompareTo(values[a]);
            return c != 0 ? c : a.CompareTo(b);
        });
        order.AsSpan(0, top.Length).CopyTo(top);
    }
}
