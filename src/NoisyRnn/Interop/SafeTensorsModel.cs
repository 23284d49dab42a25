using System.Text.Json;
using System.Text.Json.Serialization;
using NoisyRnn.Models;

namespace NoisyRnn.Interop;

/// <summary>
/// A recurrent network as a <c>model.safetensors</c> file (<see cref="SafeTensors"/>) that PyTorch and NumPy read directly.
/// Every tensor of <see cref="IRecurrentNetwork.Parameters"/> is written as float32 under its <see cref="ParameterView"/>
/// name, which is the reference implementation's <c>state_dict</c> name, with the <c>nn.Linear</c> shape
/// [out_features, in_features] (so <c>y = x @ W.T</c>):
/// <list type="bullet">
/// <item><see cref="VanillaRnn"/> (reference <c>RNN</c>): <c>encoder.weight</c> [hidden, init], <c>w_in.weight</c>
/// [hidden, input], <c>w_rec.weight</c> [hidden, hidden], <c>w_out.weight</c> [output, hidden]; with
/// <see cref="VanillaRnnOptions.UseBias"/> also <c>w_rec.bias</c> [hidden] and <c>w_out.bias</c> [output], and with
/// <see cref="VanillaRnnOptions.BiasLayout"/> = <see cref="VanillaBiasLayout.AllLayers"/> also <c>encoder.bias</c> [hidden]
/// and <c>w_in.bias</c> [hidden]: then the file is the <c>state_dict</c> of the reference's <c>RNN(bias=True)</c>, one to one.</item>
/// <item><see cref="GruRnn"/> (reference <c>GRU</c>): <c>encoder.weight</c> [hidden, init]; the update, reset and
/// candidate gates' input maps <c>w_z.weight</c>, <c>w_r.weight</c>, <c>w_h.weight</c> [hidden, input] and recurrent maps
/// <c>u_z.weight</c>, <c>u_r.weight</c>, <c>u_h.weight</c> [hidden, hidden]; <c>decoder.weight</c> [output, hidden]; with
/// <see cref="GruRnnOptions.UseBias"/> each layer <c>L</c> also has <c>L.bias</c> [out_features].</item>
/// </list>
/// The header's <c>__metadata__</c> holds the caller's string pairs (for example the run's task, cells, noise, training
/// settings and seeds, as JSON strings) and three reserved keys: <see cref="FormatKey"/> = <c>pt</c> (PyTorch layout, as
/// Hugging Face writes it), <see cref="ModelKindKey"/> (<c>vanilla</c> or <c>gru</c>) and <see cref="NetworkOptionsKey"/>
/// (the cell's options as JSON, the same text as in a <see cref="Training.Checkpoint"/> header: sizes, <c>Activation</c>,
/// <c>TimeConstant</c>, <c>Dt</c>, <c>UseBias</c>, and <c>BiasLayout</c> when it is not the default), from which <see cref="Load(string)"/> rebuilds the network. The file holds
/// weights only; resume training from a <see cref="Training.Checkpoint"/>.
/// </summary>
public static class SafeTensorsModel
{
    /// <summary>Reserved metadata key <c>format</c>, value <c>pt</c>: names and shapes follow PyTorch's <c>state_dict</c>.</summary>
    public const string FormatKey = "format";

    /// <summary>Reserved metadata key holding <see cref="IRecurrentNetwork.Kind"/>: <c>vanilla</c> or <c>gru</c>.</summary>
    public const string ModelKindKey = "noisyrnn.model_kind";

    /// <summary>Reserved metadata key holding the network's options (<see cref="IRecurrentNetwork.NetworkOptions"/>) as JSON.</summary>
    public const string NetworkOptionsKey = "noisyrnn.network_options";

    private const string FormatValue = "pt";

    private static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new JsonStringEnumConverter() },
        WriteIndented = false,
    };

    /// <summary>The network's parameters as safetensors tensors, one per <see cref="ParameterView"/>, sharing the network's
    /// buffer (no copy; later training changes them).</summary>
    /// <param name="network">The network.</param>
    /// <returns>The tensors in buffer order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    public static IReadOnlyList<SafeTensor> ToTensors(IRecurrentNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var p = network.Parameters;
        return p.Views.Select(v => new SafeTensor(v.Name, p.Values.AsMemory(v.Offset, v.Length), v.Shape)).ToArray();
    }

    /// <summary>Writes <paramref name="network"/> to <paramref name="path"/> atomically (temporary file, then rename). The bytes
    /// depend only on the parameters, the options and the metadata: the same network and metadata give the same file.</summary>
    /// <param name="path">Target file, conventionally <c>model.safetensors</c>; its folder is created if needed.</param>
    /// <param name="network">The network; its parameters must be finite.</param>
    /// <param name="metadata">The caller's string pairs, or null; must not use the reserved keys <see cref="FormatKey"/>,
    /// <see cref="ModelKindKey"/>, <see cref="NetworkOptionsKey"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, the parameters hold NaN or infinity (never
    /// exported), or <paramref name="metadata"/> uses a reserved key or holds a null or invalid string.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Save(string path, IRecurrentNetwork network, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var (tensors, all) = Prepare(network, metadata);
        SafeTensors.Write(path, tensors, all);
    }

    /// <summary>Writes <paramref name="network"/> to a stream (same bytes as <see cref="Save(string, IRecurrentNetwork, IReadOnlyDictionary{string, string}?)"/>).</summary>
    /// <param name="stream">A writable stream; left open.</param>
    /// <param name="network">The network; its parameters must be finite.</param>
    /// <param name="metadata">The caller's string pairs, or null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> or <paramref name="network"/> is null.</exception>
    /// <exception cref="ArgumentException">As the path overload, or the stream is not writable.</exception>
    public static void Save(Stream stream, IRecurrentNetwork network, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var (tensors, all) = Prepare(network, metadata);
        SafeTensors.Write(stream, tensors, all);
    }

    private static (IReadOnlyList<SafeTensor>, Dictionary<string, string>) Prepare(IRecurrentNetwork network, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(network);
        Guard.AllFinite(network.Parameters.Values, "network.Parameters");
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata != null)
        {
            foreach (var (key, value) in metadata)
            {
                if (key is FormatKey or ModelKindKey or NetworkOptionsKey)
                    throw new ArgumentException($"The metadata key '{key}' is reserved (written by SafeTensorsModel); use another key.", nameof(metadata));
                all[key] = value ?? throw new ArgumentException($"The value of metadata key '{key}' is null; expected a string.", nameof(metadata));
            }
        }
        all[FormatKey] = FormatValue;
        all[ModelKindKey] = network.Kind;
        all[NetworkOptionsKey] = JsonSerializer.Serialize(network.NetworkOptions, network.NetworkOptions.GetType(), Json);
        return (ToTensors(network), all);
    }

    /// <summary>Reads a file written by <see cref="Save(string, IRecurrentNetwork, IReadOnlyDictionary{string, string}?)"/>
    /// back into a network with the same parameters, bit for bit.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The network and the caller's metadata.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not valid safetensors (see <see cref="SafeTensors.Read(string)"/>),
    /// lacks the reserved keys <see cref="ModelKindKey"/> / <see cref="NetworkOptionsKey"/> (files written elsewhere:
    /// use <see cref="LoadParameters"/>), names an unknown model kind or invalid options, its tensors are not exactly the
    /// network's names and shapes, or a value is not finite.</exception>
    public static SafeTensorsModelData Load(string path)
    {
        var file = SafeTensors.Read(path);
        if (!file.Metadata.TryGetValue(ModelKindKey, out string? kind) || !file.Metadata.TryGetValue(NetworkOptionsKey, out string? options))
            throw new InvalidDataException($"{path} has no '{ModelKindKey}' and '{NetworkOptionsKey}' metadata (not written by SafeTensorsModel.Save); "
                + "load its tensors into a network of known options with SafeTensorsModel.LoadParameters.");
        IRecurrentNetwork network;
        try
        {
            network = kind switch
            {
                VanillaRnn.ModelKind => new VanillaRnn(JsonSerializer.Deserialize<VanillaRnnOptions>(options, Json) ?? throw new InvalidDataException($"{path} has null network options.")),
                GruRnn.ModelKind => new GruRnn(JsonSerializer.Deserialize<GruRnnOptions>(options, Json) ?? throw new InvalidDataException($"{path} has null network options.")),
                _ => throw new InvalidDataException($"{path} holds an unknown model kind '{kind}'; expected '{VanillaRnn.ModelKind}' or '{GruRnn.ModelKind}'."),
            };
        }
        catch (Exception e) when (e is ArgumentException or JsonException)
        {
            throw new InvalidDataException($"{path} has invalid network options: {e.Message}", e);
        }
        CopyInto(file, network.Parameters, path);
        var metadata = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in file.Metadata)
        {
            if (key is not (FormatKey or ModelKindKey or NetworkOptionsKey)) metadata.Add(key, value);
        }
        return new SafeTensorsModelData(network, metadata.AsReadOnly());
    }

    /// <summary>Copies the tensors of any safetensors file of F32 tensors (for example one written in Python by
    /// <c>safetensors.torch.save_file(model.state_dict(), path)</c> from the reference code) into
    /// <paramref name="parameters"/>, e.g. <c>new VanillaRnn(options).Parameters</c>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="parameters">Receives the values; the file must hold exactly its names with its shapes.</param>
    /// <returns>The file's metadata (all keys).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not valid safetensors, a name is missing or extra, a shape differs,
    /// or a value is not finite; <paramref name="parameters"/> is then left unchanged.</exception>
    public static IReadOnlyDictionary<string, string> LoadParameters(string path, ParameterSet parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var file = SafeTensors.Read(path);
        CopyInto(file, parameters, path);
        return file.Metadata;
    }

    private static void CopyInto(SafeTensorsFile file, ParameterSet parameters, string path)
    {
        var missing = parameters.Views.Where(v => !file.Contains(v.Name)).Select(v => v.Name).ToList();
        var extra = file.Tensors.Where(t => !parameters.Contains(t.Name)).Select(t => t.Name).ToList();
        if (missing.Count > 0 || extra.Count > 0)
            throw new InvalidDataException($"{path} does not hold the network's tensors: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", extra)}]; "
                + $"expected {string.Join(", ", parameters.Views.Select(v => v.Name + " " + v.ShapeText()))}.");
        foreach (var v in parameters.Views)
        {
            var t = file[v.Name];
            if (!t.ShapeSpan.SequenceEqual(v.Shape))
                throw new InvalidDataException($"{path}: tensor '{v.Name}' has shape {SafeTensor.ShapeText(t.ShapeSpan)}; the network expects {v.ShapeText()}.");
            if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(t.Data.Span))
                throw new InvalidDataException($"{path}: tensor '{v.Name}' holds non-finite values (NaN or infinity).");
        }
        foreach (var v in parameters.Views) file[v.Name].Data.Span.CopyTo(parameters.Values.AsSpan(v.Offset, v.Length));
    }
}
