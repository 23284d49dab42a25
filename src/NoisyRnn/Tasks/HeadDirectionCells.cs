using NoisyRnn.Kernels;

namespace NoisyRnn.Tasks;

/// <summary>
/// Simulated head-direction cells with von Mises tuning (Krishna et al., ICLR 2024, Sec. 4.2; reference
/// <c>HeadDirectionCells</c> and <c>von_mises(..., norm=1)</c> in tasks/head_direction.py). Cell i with preferred angle mu_i
/// responds to heading theta with a_i(theta) = exp(kappa (cos(theta - mu_i) - 1)), kappa = 1 / spread^2: the peak is exactly
/// 1 and every value lies in [exp(-2 kappa), 1]. The reference evaluates exp(kappa cos d) / exp(kappa), which overflows to
/// NaN for spreads below about 0.1 rad in float32; this form is finite for any spread. Immutable and thread-safe.
/// </summary>
public sealed class HeadDirectionCells : ITargetEncoder
{
    private readonly float[] _preferred;
    private readonly double[] _cos;
    private readonly double[] _sin;
    private readonly float[] _sinHalf; // sin(mu_i / 2)
    private readonly float[] _cosHalf; // cos(mu_i / 2)

    /// <summary>Creates cells with a standard layout of preferred angles.</summary>
    /// <param name="count">Number of cells N; &gt; 0 (paper: 512; ReferenceLinspace needs N &gt;= 2).</param>
    /// <param name="angularSpread">Tuning width sigma, rad; finite and &gt; 0 (paper: pi/6). kappa = 1/sigma^2.</param>
    /// <param name="layout">Preferred-angle layout (paper: EvenlySpaced).</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public HeadDirectionCells(int count, double angularSpread, PreferredAngleLayout layout = PreferredAngleLayout.EvenlySpaced)
        : this(Layout(count, layout), angularSpread)
    {
    }

    /// <summary>Creates cells with given preferred angles (for example a fixture's <c>hd_cell_preferred_angles</c>).</summary>
    /// <param name="preferredAngles">mu_i, rad; finite; at least one; copied.</param>
    /// <param name="angularSpread">Tuning width sigma, rad; finite and &gt; 0.</param>
    /// <exception cref="ArgumentException"><paramref name="preferredAngles"/> is empty or not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="angularSpread"/> is out of range.</exception>
    public HeadDirectionCells(ReadOnlySpan<float> preferredAngles, double angularSpread)
    {
        if (preferredAngles.IsEmpty) throw new ArgumentException("preferredAngles must hold at least one angle.", nameof(preferredAngles));
        Guard.AllFinite(preferredAngles, nameof(preferredAngles));
        Guard.Positive(angularSpread);
        AngularSpread = angularSpread;
        Kappa = 1.0 / (angularSpread * angularSpread);
        _preferred = preferredAngles.ToArray();
        _cos = _preferred.Select(a => Math.Cos(a)).ToArray();
        _sin = _preferred.Select(a => Math.Sin(a)).ToArray();
        _sinHalf = _preferred.Select(a => (float)Math.Sin(0.5 * a)).ToArray();
        _cosHalf = _preferred.Select(a => (float)Math.Cos(0.5 * a)).ToArray();
    }

    private static float[] Layout(int count, PreferredAngleLayout layout)
    {
        Guard.Positive(count);
        if (!Enum.IsDefined(layout)) throw new ArgumentOutOfRangeException(nameof(layout), layout, "Unknown layout.");
        if (layout == PreferredAngleLayout.ReferenceLinspace && count < 2)
            throw new ArgumentOutOfRangeException(nameof(count), count, "ReferenceLinspace needs count >= 2.");
        var a = new float[count];
        for (int i = 0; i < count; i++)
        {
            a[i] = layout == PreferredAngleLayout.EvenlySpaced
                ? (float)(-Math.PI + 2 * Math.PI * i / count)
                : (float)(-Math.PI + 2 * Math.PI * i / (count - 1));
        }
        return a;
    }

    /// <summary>Number of cells.</summary>
    public int Count => _preferred.Length;

    /// <summary>Tuning width sigma, rad.</summary>
    public double AngularSpread { get; }

    /// <summary>Concentration kappa = 1 / AngularSpread^2, 1/rad^2.</summary>
    public double Kappa { get; }

    /// <summary>Preferred angles mu_i, rad, [cells].</summary>
    public ReadOnlySpan<float> PreferredAngles => _preferred;

    /// <summary>Von Mises tuning with peak 1: exp(kappa (cos d - 1)), computed without overflow for any kappa.</summary>
    /// <param name="difference">theta - mu, rad; finite.</param>
    /// <param name="kappa">Concentration; finite and &gt;= 0.</param>
    /// <returns>The activation in [exp(-2 kappa), 1].</returns>
    public static double VonMises(double difference, double kappa) => Math.Exp(kappa * (Math.Cos(difference) - 1.0));

    /// <summary>Population code of headings: activations[n, i] = exp(kappa (cos(theta_n - mu_i) - 1)).</summary>
    /// <param name="headings">theta, [n], rad; finite.</param>
    /// <param name="activations">Receives [n, cells] row-major.</param>
    /// <exception cref="ArgumentException">A length does not match or a heading is not finite.</exception>
    public void Encode(ReadOnlySpan<float> headings, Span<float> activations)
    {
        Guard.Length(activations.Length, (long)headings.Length * Count, nameof(activations), $"[n, cells] = [{headings.Length}, {Count}]");
        Guard.AllFinite(headings, nameof(headings));
        if (headings.IsEmpty) return;
        // kappa (cos(theta - mu_i) - 1) = -2 kappa sin^2((theta - mu_i) / 2), with the half-angle sine from the angle-difference
        // identity, in float32 with TensorPrimitives (vectorised exp). The sine's absolute error is about 1e-7, so the
        // exponent is off by about 4 kappa |sin| 1e-7: within about 1e-6 relative of float64 at the paper's kappa (3.6).
        float kappa = (float)(-2.0 * Kappa);
        if ((long)headings.Length * Count < ParallelThreshold || Environment.ProcessorCount == 1)
        {
            for (int n = 0; n < headings.Length; n++) EncodeRow(headings[n], activations.Slice(n * Count, Count), kappa);
            return;
        }
        unsafe
        {
            fixed (float* pHeadings = headings)
            fixed (float* pActivations = activations)
            {
                nint headingAddress = (nint)pHeadings, activationAddress = (nint)pActivations;
                int rows = headings.Length, count = Count;
                int chunks = (rows + RowsPerChunk - 1) / RowsPerChunk;
                // Rows are independent, so the result does not depend on how they are split between threads.
                Parallel.For(0, chunks, chunk =>
                {
                    int start = chunk * RowsPerChunk, end = Math.Min(rows, start + RowsPerChunk);
                    var theta = new ReadOnlySpan<float>((float*)headingAddress, rows);
                    var act = new Span<float>((float*)activationAddress, rows * count);
                    for (int n = start; n < end; n++) EncodeRow(theta[n], act.Slice(n * count, count), kappa);
                });
            }
        }
    }

    /// <summary>
    /// <see cref="Encode"/> on the calling thread without its argument checks (the caller has checked the shapes; the
    /// headings come from the task): the training readout encodes its targets this way, 8 rows at a time, and the checks'
    /// messages would be formatted on every call. Same bits per row.
    /// </summary>
    void ITargetEncoder.EncodeRows(ReadOnlySpan<float> headings, Span<float> activations)
    {
        float kappa = (float)(-2.0 * Kappa);
        for (int n = 0; n < headings.Length; n++) EncodeRow(headings[n], activations.Slice(n * Count, Count), kappa);
    }

    /// <summary>Rows per parallel work item in <see cref="Encode"/>.</summary>
    private const int RowsPerChunk = 256;

    /// <summary>Heading-cell products below which <see cref="Encode"/> stays on the calling thread.</summary>
    private const long ParallelThreshold = 1 << 17;

    private void EncodeRow(float theta, Span<float> row, float minusTwoKappa)
    {
        (double sin, double cos) = Math.SinCos(0.5 * theta);
        VonMisesRow.Encode(_cosHalf, _sinHalf, (float)sin, -(float)cos, minusTwoKappa, row, Isa.Tier);
    }

    /// <summary>
    /// Decodes headings as the circular mean of the preferred angles of the <paramref name="k"/> most active cells:
    /// atan2(mean sin mu, mean cos mu) (reference <c>decode_hd</c>, top-3). Ties rank the lower cell index first.
    /// </summary>
    /// <param name="activations">Activations, [n, cells] row-major; finite; any scale.</param>
    /// <param name="headings">Receives [n] decoded headings, rad, in [-pi, pi].</param>
    /// <param name="k">Number of cells averaged; in [1, cells]. Default 3.</param>
    /// <exception cref="ArgumentException">A length does not match or an activation is not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is outside [1, cells].</exception>
    public void Decode(ReadOnlySpan<float> activations, Span<float> headings, int k = 3)
    {
        if (k < 1 || k > Count) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in [1, {Count}].");
        if (activations.Length % Count != 0)
            throw new ArgumentException($"activations has length {activations.Length}; expected a multiple of {Count} = n x cells.", nameof(activations));
        int rows = activations.Length / Count;
        Guard.Length(headings.Length, rows, nameof(headings), $"[n] = {rows}");
        Guard.AllFinite(activations, nameof(activations));
        unsafe
        {
            fixed (float* pa = activations, ph = headings)
            {
                float* a = pa, h = ph;
                // Rows are decoded independently: long inputs are split over the cores.
                WorkerPool.ForRanges(rows, (long)rows * Count >= ParallelDecodeLength ? WorkerPool.MaxThreads : 1,
                    (r0, r1) => DecodeRows(new ReadOnlySpan<float>(a + (nint)r0 * Count, (r1 - r0) * Count), new Span<float>(h + r0, r1 - r0), k));
            }
        }
    }

    /// <summary>Activations of at least this many floats are decoded on all cores.</summary>
    private const int ParallelDecodeLength = 1 << 18;

    /// <summary>The loop of <see cref="Decode"/> over whole rows (arguments checked).</summary>
    private void DecodeRows(ReadOnlySpan<float> activations, Span<float> headings, int k)
    {
        int rows = activations.Length / Count;
        Span<int> top = stackalloc int[Math.Min(k, 64)];
        int[]? big = k > 64 ? new int[k] : null;
        Span<int> t = big ?? top[..k];
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = activations.Slice(r * Count, Count);
            int filled = 0;
            for (int i = 0; i < Count; i++)
            {
                float v = row[i];
                if (filled == k && !(v > row[t[k - 1]])) continue;
                int p = filled < k ? filled++ : k - 1;
                while (p > 0 && v > row[t[p - 1]])
                {
                    t[p] = t[p - 1];
                    p--;
                }
                t[p] = i;
            }
            double c = 0, s = 0;
            for (int j = 0; j < k; j++)
            {
                c += _cos[t[j]];
                s += _sin[t[j]];
            }
            headings[r] = (float)Math.Atan2(s / k, c / k);
        }
    }
}
