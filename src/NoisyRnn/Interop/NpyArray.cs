using System.Collections.ObjectModel;
using System.Runtime.InteropServices;

namespace NoisyRnn.Interop;

/// <summary>
/// An n-dimensional array for the NumPy formats (<see cref="Npy"/>, <see cref="Npz"/>): elements in row-major (C) order,
/// a shape, and an element type. Holds the elements by reference, without copying.
/// </summary>
public sealed class NpyArray
{
    private readonly int[] _shape;
    private readonly ReadOnlyMemory<float> _float32;
    private readonly ReadOnlyMemory<double> _float64;
    private readonly ReadOnlyMemory<int> _int32;

    private NpyArray(NpyDataType type, int length, int[] shape, string paramName)
    {
        ArgumentNullException.ThrowIfNull(shape, paramName);
        long product = SafeTensor.ElementCount(shape, paramName);
        if (product != length)
            throw new ArgumentException($"The array has {length} elements; its shape {SafeTensor.ShapeText(shape)} needs {product}.", paramName);
        DataType = type;
        _shape = (int[])shape.Clone();
        Shape = Array.AsReadOnly(_shape);
    }

    private NpyArray(ReadOnlyMemory<float> data, int[] shape) : this(NpyDataType.Float32, data.Length, shape, nameof(shape)) => _float32 = data;

    private NpyArray(ReadOnlyMemory<double> data, int[] shape) : this(NpyDataType.Float64, data.Length, shape, nameof(shape)) => _float64 = data;

    private NpyArray(ReadOnlyMemory<int> data, int[] shape) : this(NpyDataType.Int32, data.Length, shape, nameof(shape)) => _int32 = data;

    /// <summary>A float32 array.</summary>
    /// <param name="data">Elements, row-major; length = product of <paramref name="shape"/>.</param>
    /// <param name="shape">Dimensions, each &gt;= 0, outermost first (e.g. [batch, time, hidden]); empty for a 0-d array
    /// holding one element. Copied.</param>
    /// <returns>The array, sharing <paramref name="data"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is null.</exception>
    /// <exception cref="ArgumentException">A dimension is negative or the product of <paramref name="shape"/> differs from the
    /// length of <paramref name="data"/> (ParamName "shape").</exception>
    public static NpyArray Create(ReadOnlyMemory<float> data, params int[] shape) => new(data, shape);

    /// <summary>A float64 array.</summary>
    /// <param name="data">Elements, row-major; length = product of <paramref name="shape"/>.</param>
    /// <param name="shape">Dimensions, each &gt;= 0; empty for a 0-d array. Copied.</param>
    /// <returns>The array, sharing <paramref name="data"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is null.</exception>
    /// <exception cref="ArgumentException">A dimension is negative or the shape does not match the length.</exception>
    public static NpyArray Create(ReadOnlyMemory<double> data, params int[] shape) => new(data, shape);

    /// <summary>An int32 array.</summary>
    /// <param name="data">Elements, row-major; length = product of <paramref name="shape"/>.</param>
    /// <param name="shape">Dimensions, each &gt;= 0; empty for a 0-d array. Copied.</param>
    /// <returns>The array, sharing <paramref name="data"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is null.</exception>
    /// <exception cref="ArgumentException">A dimension is negative or the shape does not match the length.</exception>
    public static NpyArray Create(ReadOnlyMemory<int> data, params int[] shape) => new(data, shape);

    /// <summary>The element type.</summary>
    public NpyDataType DataType { get; }

    /// <summary>The dimensions, outermost first; empty for a 0-d array.</summary>
    public ReadOnlyCollection<int> Shape { get; }

    /// <summary>Number of elements: the product of <see cref="Shape"/> (1 for a 0-d array).</summary>
    public int Length => DataType switch
    {
        NpyDataType.Float32 => _float32.Length,
        NpyDataType.Float64 => _float64.Length,
        _ => _int32.Length,
    };

    /// <summary>The elements of a <see cref="NpyDataType.Float32"/> array.</summary>
    /// <returns>The elements, row-major.</returns>
    /// <exception cref="InvalidOperationException">The array holds another type.</exception>
    public ReadOnlyMemory<float> AsFloat32() => DataType == NpyDataType.Float32 ? _float32 : throw WrongType(NpyDataType.Float32);

    /// <summary>The elements of a <see cref="NpyDataType.Float64"/> array.</summary>
    /// <returns>The elements, row-major.</returns>
    /// <exception cref="InvalidOperationException">The array holds another type.</exception>
    public ReadOnlyMemory<double> AsFloat64() => DataType == NpyDataType.Float64 ? _float64 : throw WrongType(NpyDataType.Float64);

    /// <summary>The elements of a <see cref="NpyDataType.Int32"/> array.</summary>
    /// <returns>The elements, row-major.</returns>
    /// <exception cref="InvalidOperationException">The array holds another type.</exception>
    public ReadOnlyMemory<int> AsInt32() => DataType == NpyDataType.Int32 ? _int32 : throw WrongType(NpyDataType.Int32);

    /// <summary>Type and shape, e.g. "Float32 [2, 3]".</summary>
    /// <returns>The description.</returns>
    public override string ToString() => $"{DataType} {SafeTensor.ShapeText(_shape)}";

    internal ReadOnlySpan<int> ShapeSpan => _shape;

    /// <summary>Size of one element in bytes.</summary>
    internal int ItemSize => DataType == NpyDataType.Float64 ? 8 : 4;

    /// <summary>The elements' bytes in the machine's byte order (which <see cref="Npy"/> declares in the header).</summary>
    internal ReadOnlySpan<byte> Bytes => DataType switch
    {
        NpyDataType.Float32 => MemoryMarshal.AsBytes(_float32.Span),
        NpyDataType.Float64 => MemoryMarshal.AsBytes(_float64.Span),
        _ => MemoryMarshal.AsBytes(_int32.Span),
    };

    private InvalidOperationException WrongType(NpyDataType asked) =>
        new($"The array holds {DataType} elements, not {asked}; use As{DataType}().");
}
