using System.Collections.ObjectModel;

namespace NoisyRnn.Interop;

/// <summary>
/// One named float32 tensor of a safetensors file (<see cref="SafeTensors"/>): its row-major (C order) elements and
/// shape. Holds <see cref="Data"/> by reference, without copying.
/// </summary>
public sealed class SafeTensor
{
    /// <summary>Creates a tensor.</summary>
    /// <param name="name">Tensor name, e.g. <c>w_rec.weight</c>: non-empty, not <c>__metadata__</c> (reserved by the format),
    /// valid UTF-16 (no lone surrogates).</param>
    /// <param name="data">The elements in row-major order; length = product of <paramref name="shape"/>. Any float value,
    /// NaN included, is stored as is.</param>
    /// <param name="shape">Dimensions, each &gt;= 0; empty for a scalar (one element). Copied.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="shape"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, reserved or not valid UTF-16, a dimension is
    /// negative, or the length of <paramref name="data"/> differs from the product of <paramref name="shape"/>.</exception>
    public SafeTensor(string name, ReadOnlyMemory<float> data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        if (name.Length == 0) throw new ArgumentException("A tensor name must be non-empty.", nameof(name));
        if (name == SafeTensors.MetadataKey)
            throw new ArgumentException($"'{SafeTensors.MetadataKey}' is reserved by the safetensors format for the metadata; choose another tensor name.", nameof(name));
        JsonText.CheckValidUtf16(name, nameof(name), "The tensor name");
        long product = ElementCount(shape, nameof(shape));
        if (product != data.Length)
            throw new ArgumentException($"Tensor '{name}' has {data.Length} elements; its shape {ShapeText(shape)} needs {product}.", nameof(data));
        Name = name;
        Data = data;
        _shape = (int[])shape.Clone();
        Shape = Array.AsReadOnly(_shape);
    }

    private readonly int[] _shape;

    /// <summary>The tensor's name (the key of its header entry).</summary>
    public string Name { get; }

    /// <summary>The elements, row-major; length = product of <see cref="Shape"/>.</summary>
    public ReadOnlyMemory<float> Data { get; }

    /// <summary>The dimensions, outermost first; empty for a scalar.</summary>
    public ReadOnlyCollection<int> Shape { get; }

    /// <summary>Shape written as "[a, b]" for messages.</summary>
    /// <returns>The bracketed shape.</returns>
    public override string ToString() => $"{Name} {ShapeText(_shape)}";

    internal ReadOnlySpan<int> ShapeSpan => _shape;

    internal static string ShapeText(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    /// <summary>Product of the dimensions (1 for a scalar); throws when a dimension is negative or the product overflows a long.</summary>
    internal static long ElementCount(ReadOnlySpan<int> shape, string paramName)
    {
        long product = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"Dimensions must be >= 0; the shape is {ShapeText(shape)}.", paramName);
            if (d != 0 && product > long.MaxValue / d)
                throw new ArgumentException($"The shape {ShapeText(shape)} has more than {long.MaxValue} elements.", paramName);
            product *= d;
        }
        return product;
    }
}
