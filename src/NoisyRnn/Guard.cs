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

    public static void Length(int actual, long expected, string name, string shape)
    {
        if (actual != expected) throw new ArgumentException($"{name} has length {actual}; expected {expected} = {shape}.", name);
    }

    public static void AllFinite(ReadOnlySpan<float> values, string name)
    {
        if (System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(values)) return;
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
}
