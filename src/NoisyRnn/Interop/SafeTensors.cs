using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace NoisyRnn.Interop;

/// <summary>
/// Reads and writes float32 tensors in the safetensors format of Hugging Face
/// (https://github.com/huggingface/safetensors, README "Format"), implemented by hand from that specification:
/// <list type="number">
/// <item>8 bytes: N, an unsigned little-endian 64-bit integer, the size of the header;</item>
/// <item>N bytes: the header, UTF-8 JSON starting with <c>{</c> and padded at the end with spaces (0x20):
/// <c>{"__metadata__":{"key":"value",...},"name":{"dtype":"F32","shape":[...],"data_offsets":[begin,end]},...}</c>;</item>
/// <item>the byte buffer: each tensor's elements, little-endian, row-major, at <c>[begin, end)</c> counted from the start
/// of the buffer.</item>
/// </list>
/// The writer is deterministic byte for byte: the metadata first with its keys in ordinal order, then the tensors in ordinal
/// order of their names with their data in that same order, back to back from offset 0; no whitespace inside the JSON; only
/// the escapes JSON requires (quote, backslash, control characters; everything else is raw UTF-8); N padded with spaces to a
/// multiple of 8 (as the reference writer does, so that the buffer starts 8-byte aligned). Python reads these files with the
/// <c>safetensors</c> package (<c>safetensors.numpy.load_file</c>) or with json and numpy alone (docs/python.md).
/// Only the F32 dtype is written and read.
/// </summary>
public static class SafeTensors
{
    /// <summary>The header key of the metadata object: <c>__metadata__</c>.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>The dtype string of float32 tensors: <c>F32</c>.</summary>
    public const string Float32 = "F32";

    /// <summary>Largest header accepted, in bytes (100 MB, the reference implementation's limit).</summary>
    public const long MaxHeaderSize = 100_000_000;

    /// <summary>Writes tensors and metadata to a file atomically (temporary file beside it, then rename).</summary>
    /// <param name="path">Target file (conventionally <c>*.safetensors</c>); its folder is created if needed.</param>
    /// <param name="tensors">The tensors; names unique. Their order does not matter (the file is sorted by name).</param>
    /// <param name="metadata">String pairs for <c>__metadata__</c>, or null / empty for none (the key is then omitted);
    /// keys and values valid UTF-16.</param>
    /// <exception cref="ArgumentNullException"><paramref name="tensors"/> or one of its items is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, a tensor name is repeated, a metadata key or
    /// value is null or not valid UTF-16, or the header would exceed <see cref="MaxHeaderSize"/>.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Write(string path, IEnumerable<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var (header, ordered) = BuildHeader(tensors, metadata);
        AtomicFile.Write(path, stream => WriteBody(stream, header, ordered));
    }

    /// <summary>Writes tensors and metadata to a stream, from its current position (same bytes as <see cref="Write(string, IEnumerable{SafeTensor}, IReadOnlyDictionary{string, string}?)"/>).</summary>
    /// <param name="stream">A writable stream; left open.</param>
    /// <param name="tensors">The tensors; names unique.</param>
    /// <param name="metadata">String pairs for <c>__metadata__</c>, or null / empty for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/>, <paramref name="tensors"/> or one of its items is null.</exception>
    /// <exception cref="ArgumentException">As the path overload, or the stream is not writable.</exception>
    public static void Write(Stream stream, IEnumerable<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite) throw new ArgumentException("The stream must be writable.", nameof(stream));
        var (header, ordered) = BuildHeader(tensors, metadata);
        WriteBody(stream, header, ordered);
    }

    /// <summary>Reads a safetensors file of F32 tensors, checking it against the specification.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The tensors (copied into new arrays) and the metadata.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is truncated or longer than its header says, the header is not a JSON
    /// object (or does not start with <c>{</c>, or exceeds <see cref="MaxHeaderSize"/>), a key is repeated, an entry lacks
    /// <c>dtype</c>, <c>shape</c> or <c>data_offsets</c>, a dtype is not F32, a shape does not match its byte range, ranges
    /// overlap, leave a hole or run past the buffer, or the metadata is not an object of strings. The message names the file
    /// and the tensor.</exception>
    public static SafeTensorsFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"safetensors file not found: {path}", path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return Read(stream, path);
    }

    /// <summary>Reads a safetensors file from a stream, from its current position to its end.</summary>
    /// <param name="stream">A readable stream; left open.</param>
    /// <returns>The tensors and the metadata.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException">The stream is not readable.</exception>
    /// <exception cref="InvalidDataException">As <see cref="Read(string)"/>.</exception>
    public static SafeTensorsFile Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead) throw new ArgumentException("The stream must be readable.", nameof(stream));
        return Read(stream, "the stream");
    }

    private sealed record Entry(string Name, int[] Shape, long Begin, long End);

    private static SafeTensorsFile Read(Stream stream, string source)
    {
        Span<byte> prefix = stackalloc byte[8];
        ReadExactly(stream, prefix, source, "the 8-byte header size");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (n > MaxHeaderSize) throw new InvalidDataException($"{source}: header size {n} bytes exceeds the limit of {MaxHeaderSize}; not a safetensors file?");
        long available = stream.CanSeek ? stream.Length - stream.Position : -1;
        if (available >= 0 && (long)n > available)
            throw new InvalidDataException($"{source}: header size {n} bytes, but only {available} bytes follow; the file is truncated or not a safetensors file.");
        var headerBytes = new byte[(int)n];
        ReadExactly(stream, headerBytes, source, "the header");
        if (n == 0 || headerBytes[0] != (byte)'{')
            throw new InvalidDataException($"{source}: the header must be a JSON object starting with '{{'.");

        var (entries, metadata) = ParseHeader(headerBytes, source);
        // The spec: the buffer is entirely indexed, without holes or overlap.
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expectedBegin = 0;
        foreach (var e in entries)
        {
            if (e.Begin < expectedBegin)
                throw new InvalidDataException($"{source}: tensor '{e.Name}' data_offsets [{e.Begin}, {e.End}] overlap the previous tensor's (which ends at {expectedBegin}).");
            if (e.Begin > expectedBegin)
                throw new InvalidDataException($"{source}: bytes [{expectedBegin}, {e.Begin}) of the buffer belong to no tensor (before '{e.Name}'); the format allows no holes.");
            expectedBegin = e.End;
        }
        long bufferLength = expectedBegin;
        if (available >= 0 && available - (long)n != bufferLength)
            throw new InvalidDataException($"{source}: the header indexes {bufferLength} bytes of data but {available - (long)n} follow it; the file is truncated or has trailing bytes.");

        var tensors = new List<SafeTensor>(entries.Count);
        foreach (var e in entries)
        {
            long count = (e.End - e.Begin) / sizeof(float);
            if (count > Array.MaxLength)
                throw new InvalidDataException($"{source}: tensor '{e.Name}' has {count} elements, more than one array can hold ({Array.MaxLength}).");
            var values = new float[count];
            Span<byte> bytes = MemoryMarshal.AsBytes(values.AsSpan());
            ReadExactly(stream, bytes, source, $"the data of tensor '{e.Name}'");
            if (!BitConverter.IsLittleEndian)
            {
                Span<int> words = MemoryMarshal.Cast<float, int>(values.AsSpan());
                BinaryPrimitives.ReverseEndianness(words, words);
            }
            tensors.Add(new SafeTensor(e.Name, values, e.Shape));
        }
        if (available < 0 && stream.ReadByte() != -1)
            throw new InvalidDataException($"{source}: bytes follow the {bufferLength} bytes of data the header indexes; the format allows no trailing data.");
        return new SafeTensorsFile(tensors, metadata);
    }

    private static (List<Entry> Entries, IReadOnlyDictionary<string, string> Metadata) ParseHeader(byte[] headerBytes, string source)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(headerBytes, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: the header is not valid JSON: {e.Message}", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{source}: the header must be a JSON object.");
            var entries = new List<Entry>();
            var metadata = new SortedDictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name)) throw new InvalidDataException($"{source}: the header has the key '{property.Name}' twice.");
                if (property.Name == MetadataKey)
                {
                    if (property.Value.ValueKind != JsonValueKind.Object)
                        throw new InvalidDataException($"{source}: {MetadataKey} must be an object of string values.");
                    foreach (var pair in property.Value.EnumerateObject())
                    {
                        if (pair.Value.ValueKind != JsonValueKind.String)
                            throw new InvalidDataException($"{source}: {MetadataKey} entry '{pair.Name}' is a {pair.Value.ValueKind}; the format allows strings only.");
                        if (!metadata.TryAdd(pair.Name, pair.Value.GetString()!))
                            throw new InvalidDataException($"{source}: {MetadataKey} has the key '{pair.Name}' twice.");
                    }
                    continue;
                }
                entries.Add(ParseEntry(property, source));
            }
            return (entries, metadata.AsReadOnly());
        }
    }

    private static Entry ParseEntry(JsonProperty property, string source)
    {
        string name = property.Name;
        string where = $"{source}: tensor '{name}'";
        if (property.Value.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{where} is not an object.");
        if (!property.Value.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String)
            throw new InvalidDataException($"{where} has no string 'dtype'.");
        if (dtype.GetString() != Float32)
            throw new InvalidDataException($"{where} has dtype '{dtype.GetString()}'; this reader reads {Float32} (float32) only.");
        if (!property.Value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{where} has no 'shape' array.");
        var shape = new int[shapeElement.GetArrayLength()];
        int i = 0;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out shape[i]) || shape[i] < 0)
                throw new InvalidDataException($"{where} has shape {shapeElement.GetRawText()}; dimensions must be integers in [0, {int.MaxValue}].");
            i++;
        }
        if (!property.Value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw new InvalidDataException($"{where} has no 'data_offsets' pair [begin, end].");
        long begin = ReadOffset(offsets[0], where), end = ReadOffset(offsets[1], where);
        if (end < begin) throw new InvalidDataException($"{where} has data_offsets [{begin}, {end}]; end must be >= begin.");
        long count;
        try
        {
            count = SafeTensor.ElementCount(shape, "shape");
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{where}: {e.Message}", e);
        }
        if (count > (long.MaxValue / sizeof(float)) || end - begin != count * sizeof(float))
            throw new InvalidDataException($"{where} has shape {SafeTensor.ShapeText(shape)} ({count} float32 = {count * sizeof(float)} bytes) but data_offsets [{begin}, {end}] span {end - begin} bytes.");
        return new Entry(name, shape, begin, end);
    }

    private static long ReadOffset(JsonElement e, string where)
    {
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out long v) || v < 0)
            throw new InvalidDataException($"{where} has data offset {e.GetRawText()}; offsets must be integers in [0, {long.MaxValue}].");
        return v;
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string source, string what)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            int read = stream.Read(buffer[done..]);
            if (read == 0) throw new InvalidDataException($"{source} ends inside {what} ({done} of {buffer.Length} bytes); the file is truncated.");
            done += read;
        }
    }

    /// <summary>The padded UTF-8 header and the tensors in file order.</summary>
    internal static (byte[] Header, SafeTensor[] Ordered) BuildHeader(IEnumerable<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var ordered = tensors.ToArray();
        for (int i = 0; i < ordered.Length; i++)
        {
            if (ordered[i] is null) throw new ArgumentNullException(nameof(tensors), $"tensors[{i}] is null.");
        }
        Array.Sort(ordered, (a, b) => string.CompareOrdinal(a.Name, b.Name));
        for (int i = 1; i < ordered.Length; i++)
        {
            if (ordered[i].Name == ordered[i - 1].Name) throw new ArgumentException($"The tensor name '{ordered[i].Name}' is repeated.", nameof(tensors));
        }

        var sb = new StringBuilder();
        sb.Append('{');
        bool first = true;
        if (metadata is { Count: > 0 })
        {
            sb.Append('"').Append(MetadataKey).Append("\":{");
            bool firstPair = true;
            foreach (var pair in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (pair.Key is null || pair.Value is null)
                    throw new ArgumentException($"Metadata keys and values must be non-null (key '{pair.Key}').", nameof(metadata));
                JsonText.CheckValidUtf16(pair.Key, nameof(metadata), "The metadata key");
                JsonText.CheckValidUtf16(pair.Value, nameof(metadata), $"The value of metadata key '{pair.Key}'");
                if (!firstPair) sb.Append(',');
                firstPair = false;
                JsonText.AppendString(sb, pair.Key);
                sb.Append(':');
                JsonText.AppendString(sb, pair.Value);
            }
            sb.Append('}');
            first = false;
        }
        long offset = 0;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        foreach (var t in ordered)
        {
            if (!first) sb.Append(',');
            first = false;
            JsonText.AppendString(sb, t.Name);
            sb.Append(":{\"dtype\":\"").Append(Float32).Append("\",\"shape\":[");
            for (int d = 0; d < t.ShapeSpan.Length; d++)
            {
                if (d > 0) sb.Append(',');
                sb.Append(t.ShapeSpan[d].ToString(inv));
            }
            long end = offset + (long)t.Data.Length * sizeof(float);
            sb.Append("],\"data_offsets\":[").Append(offset.ToString(inv)).Append(',').Append(end.ToString(inv)).Append("]}");
            offset = end;
        }
        sb.Append('}');
        int length = Encoding.UTF8.GetByteCount(sb.ToString());
        int padded = (length + 7) / 8 * 8;
        if (padded > MaxHeaderSize) throw new ArgumentException($"The header would take {padded} bytes, more than the format's limit of {MaxHeaderSize}.", nameof(metadata));
        sb.Append(' ', padded - length);
        return (Encoding.UTF8.GetBytes(sb.ToString()), ordered);
    }

    private static void WriteBody(Stream stream, byte[] header, SafeTensor[] ordered)
    {
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        foreach (var t in ordered) LittleEndianFloats.Write(stream, t.Data.Span);
    }
}

/// <summary>Writes float, double and int elements little-endian whatever the machine's byte order.</summary>
internal static class LittleEndianFloats
{
    public static void Write<T>(Stream stream, ReadOnlySpan<T> values) where T : unmanaged
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values));
            return;
        }
        int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        var chunk = new byte[Math.Min(values.Length * size, 1 << 16)];
        ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(values);
        while (!bytes.IsEmpty)
        {
            int n = Math.Min(bytes.Length, chunk.Length);
            bytes[..n].CopyTo(chunk);
            for (int i = 0; i < n; i += size) chunk.AsSpan(i, size).Reverse();
            stream.Write(chunk, 0, n);
            bytes = bytes[n..];
        }
    }
}
