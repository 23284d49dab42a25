using System.Runtime.CompilerServices;

namespace NoisyRnn;

/// <summary>Argument checks shared by every public entry point; each throws with the parameter name and the expected value.</summary>
internal static class Guard
{
    public static void Positive(int value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(name, value, $"{name} must be > 0.");
    }

    public static void NonNegative(int value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (value < 0) throw new ArgumentOutOfRangeException(name, value, $"{name} must be >= 0.");
    }

    public static void Positive(double value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (!(value > 0) || !double.IsFinite(value)) throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and > 0.");
    }

    public static void NonNegative(double value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (!(value >= 0) || !double.IsFinite(value)) throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and >= 0.");
    }

    public static void Finite(double value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite.");
    }

    public static void InRange(double value, double lowExclusive, double highInclusive, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (!(value > lowExclusive && value <= highInclusive)) throw new ArgumentOutOfRangeException(name, value, $"{name} must be in ({lowExclusive}, {highInclusive}].");
    }

    /// <summary>Checks that rows [firstRow, firstRow + rowCount) lie in [0, rows).</summary>
    public static void Range(int firstRow, int rowCount, int rows)
    {
        if (firstRow < 0 || rowCount < 0 || (long)firstRow + rowCount > rows)
            throw new ArgumentOutOfRangeException(nameof(firstRow), $"rows [{firstRow}, {(long)firstRow + rowCount}) are not within [0, {rows}).");
    }

    public static void Length(int actual, long expected, string name, string shape)
    {
        if (actual != expected) throw new ArgumentException($"{name} has length {actual}; expected {expected} = {shape}.", name);
    }

    public static void AllFinite(ReadOnlySpan<float> values, string name)
    {
        if (AllFiniteParallel(values)) return;
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i])) throw new ArgumentException($"{name} must be finite; element {i} is {values[i]}.", name);
        }
    }

    public static void AllFinite(ReadOnlySpan<double> values, string name)
    {
        if (System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(values)) return;
        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i])) throw new ArgumentException($"{name} must be finite; element {i} is {values[i]}.", name);
        }
    }

    /// <summary>Spans at least this long are checked on all cores (a [batch, time, output] gradient is 10 million floats).</summary>
    private const int ParallelFiniteLength = 1 << 20;

    [ThreadStatic] private static FiniteCheck? t_finiteCheck;

    /// <summary>TensorPrimitives.IsFiniteAll, split over the cores for long spans (a read-only pass: same answer either way).</summary>
    private static unsafe bool AllFiniteParallel(ReadOnlySpan<float> values)
    {
        if (values.Length < ParallelFiniteLength || WorkerPool.MaxThreads < 2)
            return System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(values);
        fixed (float* p = values)
        {
            var check = t_finiteCheck ??= new FiniteCheck();
            check.Start(p, values.Length, 4 * WorkerPool.MaxThreads);
            WorkerPool.RunParts(check, WorkerPool.MaxThreads);
            return check.AllFinite;
        }
    }

    /// <summary>One contiguous range of the span per part; any part that finds a non-finite value clears <see cref="AllFinite"/>.</summary>
    private sealed unsafe class FiniteCheck : WorkerPool.IParallelParts
    {
        private float* _values;
        private int _length;
        private volatile bool _allFinite;

        public int Parts { get; private set; }

        public bool AllFinite => _allFinite;

        public void Start(float* values, int length, int parts)
        {
            _values = values;
            _length = length;
            _allFinite = true;
            Parts = parts;
        }

        public void Run(int part)
        {
            (int start, int end) = WorkerPool.PartRange(_length, part, Parts);
            if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(new ReadOnlySpan<float>(_values + start, end - start))) _allFinite = false;
        }
    }
}
