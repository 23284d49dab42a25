using System.Buffers.Binary;

namespace NoisyRnn.Interop;

/// <summary>What <see cref="SafeTensors.Read(string)"/> returns: the tensors in file order and the header's metadata.</summary>
public sealed class SafeTensorsFile
{
    private readonly Dictionary<string, SafeTensor> _byName;

    internal SafeTensorsFile(IReadOnlyList<SafeTensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Tensors = tensors;
        Metadata = metadata;
        _byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>The tensors in the order of their data in the file (the writer's order: ordinal by name).</summary>
    public IReadOnlyList<SafeTensor> Tensors { get; }

    /// <summary>The header's <c>__metadata__</c> string pairs; empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensor named <paramref name="name"/>.</summary>
    /// <param name="name">A tensor name.</param>
    /// <returns>The tensor.</returns>
    /// <exception cref="KeyNotFoundException">No tensor has that name; the message lists the names in the file.</exception>
    public SafeTensor this[string name]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(name);
            return _byName.TryGetValue(name, out var t) ? t
                : throw new KeyNotFoundException($"No tensor named '{name}'. In the file: {string.Join(", ", Tensors.Select(x => x.Name))}.");
        }
    }

    /// <summary>Whether the file has a tensor named <paramref name="name"/>.</summary>
    /// <param name="name">A tensor name.</param>
    /// <returns>True when present.</returns>
    public bool Contains(string name) => name is not null && _byName.ContainsKey(name);
}
