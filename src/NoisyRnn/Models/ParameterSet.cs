namespace NoisyRnn.Models;

/// <summary>
/// All tensors of a model in one contiguous float buffer with named views (llm.c style). Parameters, their
/// gradients and the Adam moments share one layout, so optimisers and checkpoints run over a single span.
/// </summary>
public sealed class ParameterSet
{
    private readonly ParameterView[] _views;
    private readonly Dictionary<string, ParameterView> _byName;

    /// <summary>Creates a zeroed set with tensors laid out one after another in the given order.</summary>
    /// <param name="layout">Name and row-major shape of each tensor; names unique and non-empty, dimensions &gt; 0.</param>
    /// <exception cref="ArgumentNullException"><paramref name="layout"/> is null.</exception>
    /// <exception cref="ArgumentException">A name is repeated or empty, a dimension is not positive, or the total size exceeds
    /// <see cref="Array.MaxLength"/>.</exception>
    public ParameterSet(IEnumerable<(string Name, int[] Shape)> layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var views = new List<ParameterView>();
        int offset = 0;
        foreach (var (name, shape) in layout)
        {
            if (string.IsNullOrEmpty(name)) throw new ArgumentException("Parameter names must be non-empty.", nameof(layout));
            if (shape is null || shape.Any(d => d <= 0))
                throw new ArgumentException($"Parameter '{name}' must have positive dimensions.", nameof(layout));
            long size = 1;
            foreach (int d in shape) size = Math.Min(size * d, (long)int.MaxValue + 1);
            if (offset + size > Array.MaxLength)
                throw new ArgumentException($"Parameter '{name}' {("[" + string.Join(", ", shape) + "]")} brings the total to more than {Array.MaxLength} floats (one array).", nameof(layout));
            var view = new ParameterView(name, offset, (int[])shape.Clone());
            views.Add(view);
            offset += view.Length;
        }
        _views = views.ToArray();
        _byName = new Dictionary<string, ParameterView>(StringComparer.Ordinal);
        foreach (var v in _views)
        {
            if (!_byName.TryAdd(v.Name, v)) throw new ArgumentException($"Parameter name '{v.Name}' is repeated.", nameof(layout));
        }
        Values = new float[offset];
    }

    private ParameterSet(ParameterSet layoutSource, float[] values)
    {
        _views = layoutSource._views;
        _byName = layoutSource._byName;
        Values = values;
    }

    /// <summary>The flat buffer holding every tensor, in <see cref="Views"/> order.</summary>
    public float[] Values { get; }

    /// <summary>The named tensors, in buffer order.</summary>
    public IReadOnlyList<ParameterView> Views => _views;

    /// <summary>Total number of floats.</summary>
    public int Length => Values.Length;

    /// <summary>The elements of one tensor (row-major, see its <see cref="ParameterView.Shape"/>).</summary>
    /// <param name="name">A tensor name, e.g. <c>w_rec.weight</c>.</param>
    /// <returns>A span over the tensor inside <see cref="Values"/>.</returns>
    /// <exception cref="KeyNotFoundException">No tensor has that name; the message lists the known names.</exception>
    public Span<float> this[string name]
    {
        get
        {
            ParameterView v = GetView(name);
            return Values.AsSpan(v.Offset, v.Length);
        }
    }

    /// <summary>The view named <paramref name="name"/>.</summary>
    /// <param name="name">A tensor name.</param>
    /// <returns>Its view.</returns>
    /// <exception cref="KeyNotFoundException">No tensor has that name; the message lists the known names.</exception>
    public ParameterView GetView(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_byName.TryGetValue(name, out var v)) return v;
        throw new KeyNotFoundException($"No parameter named '{name}'. Known: {string.Join(", ", _views.Select(x => x.Name))}.");
    }

    /// <summary>Whether a tensor named <paramref name="name"/> exists.</summary>
    /// <param name="name">A tensor name.</param>
    /// <returns>True when present.</returns>
    public bool Contains(string name) => name is not null && _byName.ContainsKey(name);

    /// <summary>A set with the same layout, all zeros (for gradients and Adam moments).</summary>
    /// <returns>A new zeroed set.</returns>
    public ParameterSet CloneEmpty() => new(this, new float[Values.Length]);

    /// <summary>A deep copy with the same layout and values.</summary>
    /// <returns>A new set.</returns>
    public ParameterSet Clone() => new(this, (float[])Values.Clone());

    /// <summary>Whether <paramref name="other"/> has the same names, offsets and shapes.</summary>
    /// <param name="other">Another set.</param>
    /// <returns>True when the layouts match.</returns>
    public bool HasSameLayout(ParameterSet other)
    {
        if (other is null || other.Length != Length || other._views.Length != _views.Length) return false;
        if (ReferenceEquals(other._views, _views)) return true;
        for (int i = 0; i < _views.Length; i++)
        {
            var a = _views[i];
            var b = other._views[i];
            if (a.Name != b.Name || a.Offset != b.Offset || !a.Shape.AsSpan().SequenceEqual(b.Shape)) return false;
        }
        return true;
    }

    /// <summary>Copies all values from a set with the same layout.</summary>
    /// <param name="source">The set to copy.</param>
    /// <exception cref="ArgumentException">The layouts differ.</exception>
    public void CopyFrom(ParameterSet source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!HasSameLayout(source)) throw new ArgumentException("Parameter layouts differ.", nameof(source));
        source.Values.AsSpan().CopyTo(Values);
    }
}
