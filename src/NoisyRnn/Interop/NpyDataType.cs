using System.Collections.ObjectModel;

namespace NoisyRnn.Interop;

/// <summary>Element types of <see cref="NpyArray"/>, with their NumPy type strings.</summary>
public enum NpyDataType
{
    /// <summary>float32, NumPy <c>&lt;f4</c>.</summary>
    Float32,

    /// <summary>float64, NumPy <c>&lt;f8</c>.</summary>
    Float64,

    /// <summary>int32, NumPy <c>&lt;i4</c>.</summary>
    Int32,
}
