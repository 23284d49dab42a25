using System.Globalization;

namespace NoisyRnn.Tasks;

/// <summary>
/// User-recorded trajectories (tracked positions or head directions at any sampling rate), checked, split at gaps,
/// resampled to the task's time step by linear interpolation and cut into fixed-length windows that a trained network
/// can be run on (<see cref="CreateBatch(SpatialNavigationTask)"/>, <see cref="CreateBatch(HeadDirectionTask)"/>).
/// Not part of the paper or the reference code.
/// </summary>
/// <remarks>
/// <para>File format: comma-separated, invariant culture (decimal point), a header <c>t,x,y</c> or <c>t,heading</c>
/// (case-insensitive, spaces around names allowed), then one sample per line. Blank lines are skipped. Line numbers in
/// errors count every line of the file from 1 (the header).</para>
/// <para>Rules, each error an <see cref="InvalidDataException"/> whose message starts with "line N:": a time that is
/// missing, not a number or not finite; a time not strictly after the previous row's (duplicate or going back); a wrong
/// number of columns; a value that is not a number or is infinite; an empty or NaN value unless
/// <see cref="RecordedTrajectoryOptions.InterpolateMissing"/>; a position more than
/// <see cref="RecordedTrajectoryOptions.OutsideTolerance"/> outside the box (smaller excursions are clamped); a heading
/// with |heading| &gt; 1e9 rad (too large for float64 to resolve an angle). A segment longer than 1e8 resampled steps is
/// also refused (message without a line).</para>
/// <para>Resampling: each segment (see <see cref="RecordedTrajectoryOptions.MaxGap"/>) is sampled at t0, t0 + Dt, ... up to
/// its last sample time by linear interpolation between the bracketing samples, in float64. Headings are unwrapped first
/// (each change taken as the circular difference, so successive samples must turn less than pi) and interpolated on the
/// unwrapped, continuous angle.</para>
/// <para>Windows: a window of T steps uses T + 1 consecutive resampled samples: the first is the start state, the next T
/// are the targets, and input t is the change from sample t to sample t + 1. Windows of a segment follow each other
/// without overlap (the last sample of one is the first of the next); a segment of n samples gives floor((n - 1) / T)
/// windows and its remaining tail is not used.</para>
/// </remarks>
public sealed class RecordedTrajectories
{
    // Largest |heading| accepted, rad: float64 still resolves 1.2e-7 rad there; at 1e16 one step exceeds 2 pi.
    private const double MaxHeading = 1e9;

    private readonly double[][] _segments;

    private RecordedTrajectories(RecordedTrajectoryKind kind, RecordedTrajectoryOptions options, double[][] segments)
    {
        Kind = kind;
        Options = options;
        _segments = segments;
    }

    /// <summary>Whether the recording holds positions or headings.</summary>
    public RecordedTrajectoryKind Kind { get; }

    /// <summary>The options the recording was loaded with.</summary>
    public RecordedTrajectoryOptions Options { get; }

    /// <summary>Number of segments (runs without a gap longer than <see cref="RecordedTrajectoryOptions.MaxGap"/>); &gt; 0.</summary>
    public int SegmentCount => _segments.Length;

    /// <summary>Values per resampled sample: 2 for positions, 1 for headings.</summary>
    public int Width => Kind == RecordedTrajectoryKind.Positions ? 2 : 1;

    /// <summary>
    /// One resampled segment: positions [n, 2] row-major (x, y), m, inside the box; or headings [n], rad, unwrapped
    /// (continuous; wrap with <see cref="Angles.Wrap"/>). Sample k is at the segment's first time + k Dt.
    /// </summary>
    /// <param name="index">Segment index in [0, <see cref="SegmentCount"/>).</param>
    /// <returns>The samples.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    public ReadOnlySpan<double> Segment(int index)
    {
        if ((uint)index >= (uint)_segments.Length)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"index must be in [0, {_segments.Length}).");
        return _segments[index];
    }

    /// <summary>Number of non-overlapping windows of <paramref name="windowLength"/> steps over all segments.</summary>
    /// <param name="windowLength">Steps per window T; &gt; 0.</param>
    /// <returns>Sum over segments of floor((samples - 1) / T).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="windowLength"/> is not positive.</exception>
    public int CountWindows(int windowLength)
    {
        Guard.Positive(windowLength);
        int count = 0;
        foreach (double[] s in _segments) count += (s.Length / Width - 1) / windowLength;
        return count;
    }

    /// <summary>Loads a recording from a file (format and rules in the class remarks).</summary>
    /// <param name="path">Path of a CSV file.</param>
    /// <param name="options">Checks and resampling; null for the defaults.</param>
    /// <returns>The resampled recording.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="InvalidDataException">The content breaks a rule; the message names the line.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static RecordedTrajectories Load(string path, RecordedTrajectoryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = new StreamReader(path);
        return Parse(reader, options);
    }

    /// <summary>Parses a recording held in a string (format and rules in the class remarks).</summary>
    /// <param name="csv">The CSV text.</param>
    /// <param name="options">Checks and resampling; null for the defaults.</param>
    /// <returns>The resampled recording.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="csv"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="InvalidDataException">The content breaks a rule; the message names the line.</exception>
    public static RecordedTrajectories Parse(string csv, RecordedTrajectoryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(csv);
        using var reader = new StringReader(csv);
        return Parse(reader, options);
    }

    /// <summary>Reads a recording to the end of <paramref name="reader"/> (format and rules in the class remarks).</summary>
    /// <param name="reader">The CSV text; not disposed.</param>
    /// <param name="options">Checks and resampling; null for the defaults.</param>
    /// <returns>The resampled recording.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reader"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="InvalidDataException">The content breaks a rule; the message names the line.</exception>
    public static RecordedTrajectories Parse(TextReader reader, RecordedTrajectoryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        options ??= new RecordedTrajectoryOptions();
        options.Validate();

        int lineNumber = 0;
        string? line;
        do
        {
            line = reader.ReadLine();
            lineNumber++;
        }
        while (line is not null && string.IsNullOrWhiteSpace(line));
        if (line is null) throw new InvalidDataException("The recording is empty; expected a header 't,x,y' or 't,heading'.");
        string header = string.Join(",", line.Split(',').Select(c => c.Trim().ToLowerInvariant()));
        RecordedTrajectoryKind kind = header switch
        {
            "t,x,y" => RecordedTrajectoryKind.Positions,
            "t,heading" => RecordedTrajectoryKind.Headings,
            _ => throw new InvalidDataException($"line {lineNumber}: the header must be 't,x,y' or 't,heading'; got '{line.Trim()}'."),
        };
        int width = kind == RecordedTrajectoryKind.Positions ? 2 : 1;
        double halfW = options.BoxWidth / 2, halfH = options.BoxHeight / 2;

        var times = new List<double>();
        var values = new List<double>();
        double previousTime = double.NaN;
        int previousLine = 0;
        var row = new double[width];
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            string[] cells = line.Split(',');
            if (cells.Length != width + 1)
                throw new InvalidDataException($"line {lineNumber}: expected {width + 1} comma-separated values ({header}); got {cells.Length}.");
            double t = ParseNumber(cells[0], lineNumber, "t", out bool timeMissing);
            if (timeMissing) throw new InvalidDataException($"line {lineNumber}: the time t is empty or NaN; times cannot be repaired.");
            if (!(t > previousTime) && previousLine > 0)
                throw new InvalidDataException($"line {lineNumber}: time {Format(t)} s is not after the time {Format(previousTime)} s on line {previousLine}; times must increase strictly.");
            previousTime = t;
            previousLine = lineNumber;

            bool missing = false;
            for (int c = 0; c < width; c++)
            {
                string name = kind == RecordedTrajectoryKind.Headings ? "heading" : c == 0 ? "x" : "y";
                row[c] = ParseNumber(cells[c + 1], lineNumber, name, out bool m);
                if (m && !options.InterpolateMissing)
                    throw new InvalidDataException($"line {lineNumber}: {name} is empty or NaN (set InterpolateMissing to interpolate across such rows).");
                missing |= m;
            }
            if (missing) continue;
            if (kind == RecordedTrajectoryKind.Headings && Math.Abs(row[0]) > MaxHeading)
                throw new InvalidDataException($"line {lineNumber}: heading = {Format(row[0])} rad is too large to resolve an angle; expected |heading| <= {Format(MaxHeading)} rad (wrap the headings or unwrap them from a smaller start).");
            if (kind == RecordedTrajectoryKind.Positions)
            {
                row[0] = CheckInBox(row[0], halfW, options.OutsideTolerance, lineNumber, "x");
                row[1] = CheckInBox(row[1], halfH, options.OutsideTolerance, lineNumber, "y");
            }
            times.Add(t);
            values.AddRange(row);
        }
        if (times.Count == 0) throw new InvalidDataException($"The recording has no usable sample after the header on line 1.");

        var segments = new List<double[]>();
        int start = 0;
        for (int i = 1; i <= times.Count; i++)
        {
            if (i < times.Count && times[i] - times[i - 1] <= options.MaxGap) continue;
            segments.Add(Resample(times, values, start, i, width, kind == RecordedTrajectoryKind.Headings, options.Dt));
            start = i;
        }
        return new RecordedTrajectories(kind, options, segments.ToArray());
    }

    /// <summary>
    /// Builds a spatial-navigation batch of every window (see the class remarks) of <see cref="SpatialNavigationTask.SequenceLength"/>
    /// steps, in segment order: inputs are the per-step displacements (m per step), the initial state and the targets are the
    /// task's place code of the start and target positions. <see cref="SpatialTrajectoryBatch.HeadDirection"/> is the
    /// direction of each displacement (0 for no movement) and <see cref="SpatialTrajectoryBatch.Speed"/> its length.
    /// </summary>
    /// <param name="task">The task whose place cells encode the positions; its Dt and box must equal the options'.</param>
    /// <returns>A batch of <see cref="CountWindows"/> trajectories.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is null.</exception>
    /// <exception cref="ArgumentException">The task's Dt or box differs from <see cref="Options"/>.</exception>
    /// <exception cref="InvalidOperationException">The recording holds headings, no segment is long enough for one window, or
    /// the windows' targets (windows x steps x cells values) do not fit in one array.</exception>
    public SpatialNavigationBatch CreateBatch(SpatialNavigationTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (Kind != RecordedTrajectoryKind.Positions) throw new InvalidOperationException("The recording holds headings; use a HeadDirectionTask.");
        CheckDt(task.Options.Dt, nameof(task));
        if (task.Options.BoxWidth != Options.BoxWidth || task.Options.BoxHeight != Options.BoxHeight)
            throw new ArgumentException($"task's box {task.Options.BoxWidth} x {task.Options.BoxHeight} m differs from the recording's {Options.BoxWidth} x {Options.BoxHeight} m.", nameof(task));
        int steps = task.SequenceLength, windows = RequireWindows(steps);
        RequireArraySize(windows, steps, task.PlaceCells.Count, "place cells");
        var trajectories = new SpatialTrajectoryBatch(windows, steps);
        int b = 0;
        foreach (double[] s in _segments)
        {
            for (int w = 0; w < (s.Length / 2 - 1) / steps; w++, b++)
            {
                int first = w * steps;
                trajectories.InitialPosition[2 * b] = (float)s[2 * first];
                trajectories.InitialPosition[2 * b + 1] = (float)s[2 * first + 1];
                for (int t = 0; t < steps; t++)
                {
                    int k = first + t + 1, o = b * steps + t;
                    double dx = s[2 * k] - s[2 * k - 2], dy = s[2 * k + 1] - s[2 * k - 1];
                    trajectories.Velocity[2 * o] = (float)dx;
                    trajectories.Velocity[2 * o + 1] = (float)dy;
                    trajectories.Positions[2 * o] = (float)s[2 * k];
                    trajectories.Positions[2 * o + 1] = (float)s[2 * k + 1];
                    trajectories.HeadDirection[o] = (float)Angles.Wrap(Math.Atan2(dy, dx));
                    trajectories.Speed[o] = (float)Math.Sqrt(dx * dx + dy * dy);
                }
            }
        }
        return task.CreateBatch(trajectories);
    }

    /// <summary>
    /// Builds a head-direction batch of every window (see the class remarks) of <see cref="HeadDirectionTask.SequenceLength"/>
    /// steps, in segment order: inputs are the per-step angular displacements (rad per step, from the unwrapped heading),
    /// headings are wrapped with <see cref="Angles.Wrap"/>, and the initial state and targets are the task's HD-cell code.
    /// </summary>
    /// <param name="task">The task whose HD cells encode the headings; its Dt must equal the options'.</param>
    /// <returns>A batch of <see cref="CountWindows"/> trajectories.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is null.</exception>
    /// <exception cref="ArgumentException">The task's Dt differs from <see cref="Options"/>.</exception>
    /// <exception cref="InvalidOperationException">The recording holds positions, no segment is long enough for one window, or
    /// the windows' targets (windows x steps x cells values) do not fit in one array.</exception>
    public HeadDirectionBatch CreateBatch(HeadDirectionTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (Kind != RecordedTrajectoryKind.Headings) throw new InvalidOperationException("The recording holds positions; use a SpatialNavigationTask.");
        CheckDt(task.Options.Dt, nameof(task));
        int steps = task.SequenceLength, windows = RequireWindows(steps);
        RequireArraySize(windows, steps, task.Cells.Count, "HD cells");
        var batch = new HeadDirectionBatch(windows, steps, task.Cells.Count);
        int b = 0;
        foreach (double[] s in _segments)
        {
            for (int w = 0; w < (s.Length - 1) / steps; w++, b++)
            {
                int first = w * steps;
                batch.InitialHeading[b] = (float)Angles.Wrap(s[first]);
                for (int t = 0; t < steps; t++)
                {
                    int k = first + t + 1;
                    batch.Inputs[b * steps + t] = (float)(s[k] - s[k - 1]);
                    batch.Headings[b * steps + t] = (float)Angles.Wrap(s[k]);
                }
            }
        }
        task.Cells.Encode(batch.InitialHeading, batch.InitialState);
        task.Cells.Encode(batch.Headings, batch.Targets);
        return batch;
    }

    private void CheckDt(double taskDt, string name)
    {
        if (Math.Abs(taskDt - Options.Dt) > 1e-12 * Options.Dt)
            throw new ArgumentException($"task's Dt = {taskDt} s differs from the recording's resampling step {Options.Dt} s; load with RecordedTrajectoryOptions.Dt = {taskDt}.", name);
    }

    private int RequireWindows(int steps)
    {
        int windows = CountWindows(steps);
        if (windows == 0)
        {
            int longest = _segments.Max(s => s.Length / Width);
            throw new InvalidOperationException($"No segment holds a window of {steps} steps ({steps + 1} samples at {Options.Dt} s); the longest has {longest} samples.");
        }
        return windows;
    }

    // The batch holds its targets, [windows, steps, cells], in one array.
    private static void RequireArraySize(int windows, int steps, int cells, string cellName)
    {
        long values = (long)windows * steps * Math.Max(cells, 2);
        if (values > Array.MaxLength)
            throw new InvalidOperationException($"The recording gives {windows} windows of {steps} steps; with {cells} {cellName} their targets are {values} values, " +
                                                $"more than one array holds ({Array.MaxLength}); load a shorter recording or split it.");
    }

    private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Parses one cell; empty or NaN sets <paramref name="missing"/>; text that is not a number, or an infinity, throws.</summary>
    private static double ParseNumber(string cell, int lineNumber, string name, out bool missing)
    {
        string s = cell.Trim();
        missing = s.Length == 0;
        if (missing) return double.NaN;
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            throw new InvalidDataException($"line {lineNumber}: {name} = '{s}' is not a number.");
        if (double.IsInfinity(v)) throw new InvalidDataException($"line {lineNumber}: {name} is infinite.");
        missing = double.IsNaN(v);
        return v;
    }

    private static double CheckInBox(double v, double half, double tolerance, int lineNumber, string name)
    {
        if (Math.Abs(v) <= half) return v;
        if (Math.Abs(v) - half > tolerance)
            throw new InvalidDataException($"line {lineNumber}: {name} = {Format(v)} m is {Format(Math.Abs(v) - half)} m outside the box [-{Format(half)}, {Format(half)}] m; at most {Format(tolerance)} m (OutsideTolerance) is clamped.");
        return Math.CopySign(half, v);
    }

    /// <summary>Samples [start, end) of the usable rows, resampled on t0 + k dt; headings are unwrapped first.</summary>
    private static double[] Resample(List<double> times, List<double> values, int start, int end, int width, bool unwrap, double dt)
    {
        int count = end - start;
        var v = new double[count * width];
        for (int i = 0; i < count * width; i++) v[i] = values[start * width + i];
        if (unwrap)
        {
            for (int i = 1; i < count; i++) v[i] = v[i - 1] + Angles.Difference(values[start + i], values[start + i - 1]);
        }
        double t0 = times[start], span = times[end - 1] - t0;
        if (span / dt > 1e8)
            throw new InvalidDataException($"A segment spans {Format(span)} s, more than 1e8 steps of {Format(dt)} s; split the recording.");
        int samples = (int)Math.Floor(span / dt + 1e-9) + 1;
        var result = new double[samples * width];
        int j = 0; // bracketing interval [j, j + 1] of the raw samples
        for (int k = 0; k < samples; k++)
        {
            double t = t0 + k * dt;
            while (j + 1 < count - 1 && times[start + j + 1] < t) j++;
            if (count == 1 || t <= times[start + j])
            {
                for (int c = 0; c < width; c++) result[k * width + c] = v[j * width + c];
                continue;
            }
            double ta = times[start + j], tb = times[start + j + 1];
            double f = Math.Clamp((t - ta) / (tb - ta), 0.0, 1.0);
            for (int c = 0; c < width; c++)
                result[k * width + c] = v[j * width + c] + f * (v[(j + 1) * width + c] - v[j * width + c]);
        }
        return result;
    }
}
