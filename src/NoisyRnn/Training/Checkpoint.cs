using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using NoisyRnn.Models;

namespace NoisyRnn.Training;

/// <summary>
/// Binary checkpoints of a recurrent network (vanilla RNN or GRU) and, optionally, its Adam state. Layout: the 8 bytes
/// "NRNNCKP1", a little-endian int32 header length, a UTF-8 JSON header (model kind, model options, step, parameter views;
/// a header without a model kind, as written before the GRU existed, is a vanilla RNN), the float32
/// parameters in <see cref="ParameterSet"/> order, then the two Adam moment buffers when present, and a SHA-256
/// of everything before it. Writes go to a temporary file that is renamed over the target, so a crash never leaves
/// a torn checkpoint; a truncated or corrupted file is reported, never half-loaded.
/// </summary>
public static class Checkpoint
{
    private static readonly byte[] Magic = "NRNNCKP1"u8.ToArray();
    private static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new JsonStringEnumConverter() },
        WriteIndented = false,
    };

    private sealed record Header(int FormatVersion, JsonElement Options, int Step, long AdamStepCount,
        bool HasAdam, int ParameterCount, List<ParameterView> Views, Dictionary<string, string> Metadata, string? ModelKind = null);

    /// <summary>Writes a checkpoint atomically (temporary file, then rename).</summary>
    /// <param name="path">Target file; its folder is created if needed.</param>
    /// <param name="model">The network to save.</param>
    /// <param name="step">Training steps completed; &gt;= 0.</param>
    /// <param name="adam">Optimizer whose moments to save, or null for weights only.</param>
    /// <param name="metadata">Optional string pairs stored in the header.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, the parameters contain NaN or infinity
    /// (a checkpoint never stores non-finite weights), or <paramref name="adam"/> was made for another parameter count.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    public static void Save(string path, IRecurrentNetwork model, int step, Adam? adam = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(model);
        Guard.NonNegative(step);
        Guard.AllFinite(model.Parameters.Values, "model.Parameters");
        if (adam != null && adam.FirstMoment.Length != model.Parameters.Length)
            throw new ArgumentException($"adam holds moments for {adam.FirstMoment.Length} parameters; expected the model's {model.Parameters.Length}.", nameof(adam));
        var header = new Header(1, JsonSerializer.SerializeToElement(model.NetworkOptions, model.NetworkOptions.GetType(), Json), step, adam?.StepCount ?? 0, adam != null, model.Parameters.Length,
            model.Parameters.Views.ToList(), metadata?.ToDictionary(kv => kv.Key, kv => kv.Value) ?? new(), model.Kind);
        byte[] headerBytes = JsonSerializer.SerializeToUtf8Bytes(header, Json);

        AtomicFile.Write(path, stream =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            void Write(ReadOnlySpan<byte> bytes)
            {
                stream.Write(bytes);
                hash.AppendData(bytes);
            }

            Write(Magic);
            Span<byte> len = stackalloc byte[4];
            BitConverter.TryWriteBytes(len, headerBytes.Length);
            Write(len);
            Write(headerBytes);
            Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(model.Parameters.Values.AsSpan()));
            if (adam != null)
            {
                Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes((ReadOnlySpan<float>)adam.FirstMoment));
                Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes((ReadOnlySpan<float>)adam.SecondMoment));
            }
            stream.Write(hash.GetHashAndReset());
        });
    }

    /// <summary>Reads a checkpoint written by <see cref="Save"/>.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The model and optimizer state.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a checkpoint, is truncated, fails its checksum, or its header is
    /// unreadable or inconsistent (invalid options, negative step, sizes that do not match the data, non-finite parameters, or
    /// non-finite or negative Adam moments).</exception>
    public static CheckpointData Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint not found: {path}", path);
        byte[] bytes = File.ReadAllBytes(path);
        const int HashLength = 32;
        if (bytes.Length < Magic.Length + 4 + HashLength || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new InvalidDataException($"{path} is not a NoisyRnn checkpoint (missing the NRNNCKP1 signature).");
        ReadOnlyMemory<byte> body = bytes.AsMemory(0, bytes.Length - HashLength);
        if (!SHA256.HashData(body.Span).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - HashLength)))
            throw new InvalidDataException($"{path} is truncated or corrupted (checksum mismatch).");
        int headerLength = BitConverter.ToInt32(bytes, Magic.Length);
        int offset = Magic.Length + 4;
        if (headerLength <= 0 || offset + headerLength > body.Length)
            throw new InvalidDataException($"{path} has an invalid header length {headerLength}.");
        Header? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize<Header>(bytes.AsSpan(offset, headerLength), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} has an unreadable header: {e.Message}", e);
        }
        Header header = parsed ?? throw new InvalidDataException($"{path} has an empty header.");
        offset += headerLength;
        if (header.FormatVersion != 1) throw new InvalidDataException($"{path} has format version {header.FormatVersion}; this library reads version 1.");
        if (header.Options.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{path} has a header without model options.");
        if (header.Step < 0 || header.AdamStepCount < 0 || header.AdamStepCount == long.MaxValue)
            throw new InvalidDataException($"{path} has step {header.Step} and Adam step {header.AdamStepCount}; expected both >= 0 and the Adam step below {long.MaxValue}.");
        // Check the sizes against the file before allocating the model, so a header claiming a huge model is reported, not allocated.
        long claimed = (long)header.ParameterCount * sizeof(float) * (header.HasAdam ? 3 : 1);
        if (header.ParameterCount <= 0 || body.Length - offset != claimed)
            throw new InvalidDataException($"{path} has {body.Length - offset} bytes of data; its header claims {header.ParameterCount} parameters ({claimed} bytes).");
        IRecurrentNetwork model;
        try
        {
            model = (header.ModelKind ?? VanillaRnn.ModelKind) switch
            {
                VanillaRnn.ModelKind => new VanillaRnn(header.Options.Deserialize<VanillaRnnOptions>(Json) ?? throw new InvalidDataException($"{path} has no model options.")),
                GruRnn.ModelKind => new GruRnn(header.Options.Deserialize<GruRnnOptions>(Json) ?? throw new InvalidDataException($"{path} has no model options.")),
                var kind => throw new InvalidDataException($"{path} holds an unknown model kind '{kind}'."),
            };
        }
        catch (Exception e) when (e is ArgumentException or JsonException)
        {
            throw new InvalidDataException($"{path} has invalid model options: {e.Message}", e);
        }
        int n = model.Parameters.Length;
        if (n != header.ParameterCount)
            throw new InvalidDataException($"{path} holds {header.ParameterCount} parameters; the model it describes has {n}.");
        long expected = (long)n * sizeof(float) * (header.HasAdam ? 3 : 1);
        if (body.Length - offset != expected)
            throw new InvalidDataException($"{path} has {body.Length - offset} bytes of data; expected {expected}.");
        int count = n;
        float[] Read()
        {
            var values = new float[count];
            body.Span.Slice(offset, count * sizeof(float)).CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
            offset += count * sizeof(float);
            return values;
        }
        float[] parameters = Read();
        if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(parameters))
            throw new InvalidDataException($"{path} holds non-finite parameters (NaN or infinity).");
        parameters.CopyTo(model.Parameters.Values, 0);
        float[]? m = header.HasAdam ? Read() : null;
        float[]? v = header.HasAdam ? Read() : null;
        if (m != null && v != null
            && (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(m) || !System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(v)
                || System.Numerics.Tensors.TensorPrimitives.Min<float>(v) < 0))
            throw new InvalidDataException($"{path} holds invalid Adam moments (non-finite values or a negative second moment).");
        return new CheckpointData(model, header.Step, header.AdamStepCount, m, v, header.Metadata);
    }
}
