namespace NoisyRnn.Models;

/// <summary>A named slice of a <see cref="ParameterSet"/>: where one tensor lives in the flat buffer.</summary>
/// <param name="Name">Tensor name in the reference's (PyTorch state_dict) terms, e.g. <c>w_rec.weight</c>.</param>
/// <param name="Offset">Index of the first element in <see cref="ParameterSet.Values"/>.</param>
/// <param name="Shape">Row-major shape; weights are [out_features, in_features] (<c>nn.Linear</c>: y = x·Wᵀ).</param>
public sealed record ParameterView(string Name, int Offset, int[] Shape)
{
    /// <summary>Number of elements: the product of <see cref="Shape"/>.</summary>
    public int Length { get; } = checked(Shape.Aggregate(1, (a, b) => a * b));

    /// <summary>Shape written as "[a, b]" for messages.</summary>
    /// <returns>The bracketed shape.</returns>
    public string ShapeText() => "[" + string.Join(", ", Shape) + "]";
}
