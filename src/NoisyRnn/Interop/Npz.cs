using System.Buffers.Binary;
using System.IO.Compression;

namespace NoisyRnn.Interop;

/// <summary>
/// NumPy's <c>.npz</c> archives, the format of <c>numpy.savez</c>: a ZIP file with one <c>NAME.npy</c> entry (<see cref="Npy"/>)
/// per array; <c>numpy.load(path)</c> returns them by NAME. The ZIP is written by hand (PKWARE APPNOTE 6.3) so that its bytes
/// depend only on the arrays: entries stored (no compression) in the caller's order, every timestamp 1980-01-01 00:00:00, no
/// extra fields, attributes or comments (ZIP64 records only where a size or offset needs them, beyond 4 GiB), CRC-32 of
/// each entry. The same arrays therefore give the same file on every run and machine.
/// </summary>
public static class Npz
{
    /// <summary>Writes arrays as a .npz archive, atomically (temporary file, then rename).</summary>
    /// <param name="path">Target file, conventionally <c>*.npz</c>; its folder is created if needed.</param>
    /// <param name="arrays">Name and array of each entry, in archive order. Names unique, 1 to 200 characters from
    /// <c>A-Z a-z 0-9 _ - .</c> (the entry is <c>NAME.npy</c>; Python sees the key NAME).</param>
    /// <exception cref="ArgumentNullException"><paramref name="arrays"/> or an array is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, or a name is empty, repeated or has another
    /// character (ParamName "arrays").</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Write(string path, IReadOnlyList<(string Name, NpyArray Array)> arrays)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Check(arrays);
        AtomicFile.Write(path, stream => WriteArchive(stream, arrays, Zip64Limit));
    }

    /// <summary>Writes float32 arrays as a .npz archive, atomically: <see cref="Write(string, IReadOnlyList{ValueTuple{string, NpyArray}})"/>
    /// with <see cref="NpyArray.Create(ReadOnlyMemory{float}, int[])"/> of each entry.</summary>
    /// <param name="path">Target file, conventionally <c>*.npz</c>.</param>
    /// <param name="arrays">Name, row-major elements and shape of each entry (shape product = element count).</param>
    /// <exception cref="ArgumentNullException"><paramref name="arrays"/> or a shape is null.</exception>
    /// <exception cref="ArgumentException">As the other overload, or a shape does not match its data (the message names
    /// the entry).</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Write(string path, IReadOnlyList<(string Name, ReadOnlyMemory<float> Data, int[] Shape)> arrays)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        Write(path, ToArrays(arrays));
    }

    /// <summary>Writes arrays as a .npz archive to a stream, from its current position (same bytes as the path overload).</summary>
    /// <param name="stream">A writable stream; left open.</param>
    /// <param name="arrays">Name and array of each entry, as for the path overload.</param>
    /// <exception cref="ArgumentNullException">An argument or an array is null.</exception>
    /// <exception cref="ArgumentException">A name is invalid or repeated, or the stream is not writable.</exception>
    public static void Write(Stream stream, IReadOnlyList<(string Name, NpyArray Array)> arrays)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite) throw new ArgumentException("The stream must be writable.", nameof(stream));
        Check(arrays);
        WriteArchive(stream, arrays, Zip64Limit);
    }

    /// <summary>Reads a .npz archive (this writer's or <c>numpy.savez</c> / <c>numpy.savez_compressed</c>'s).</summary>
    /// <param name="path">The file.</param>
    /// <returns>The arrays by name (entry name without <c>.npy</c>), in archive order.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a ZIP archive, or an entry fails its CRC-32 or is not a readable
    /// .npy array (see <see cref="Npy.Read(string)"/>); the message names the file and the entry.</exception>
    public static IReadOnlyDictionary<string, NpyArray> Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return ReadEntries(path, null);
    }

    /// <summary>Reads the named arrays of a .npz archive and nothing else (the other entries are not decoded), as
    /// <c>numpy.load(path)[name]</c> for each name: for instance the <c>active_hidden</c> [batch, time, hidden] and
    /// <c>quiescent_outputs</c> [chains, steps, coords] of a run's <c>activity.npz</c> (docs/python.md). Each array keeps the
    /// element type and shape (<see cref="NpyArray.Shape"/>) the file declares.</summary>
    /// <param name="path">The file.</param>
    /// <param name="names">The arrays to read: NumPy keys, i.e. entry names without <c>.npy</c>; each non-empty. Repeats are
    /// read once.</param>
    /// <returns>The requested arrays by name, in the order of <paramref name="names"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="names"/> or a name is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> or a name is empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a ZIP archive; a named array is missing (the message names the
    /// file and the array, and lists the arrays the file holds); or a named entry is not a readable .npy array (truncated,
    /// unsupported type, failing its CRC-32; the message names the file and the array).</exception>
    public static IReadOnlyDictionary<string, NpyArray> Read(string path, IReadOnlyCollection<string> names)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(names);
        foreach (string name in names)
        {
            ArgumentNullException.ThrowIfNull(name, nameof(names));
            if (name.Length == 0) throw new ArgumentException("An array name is empty.", nameof(names));
        }
        var wanted = new HashSet<string>(names, StringComparer.Ordinal);
        var read = ReadEntries(path, wanted);
        var result = new Dictionary<string, NpyArray>(StringComparer.Ordinal);
        foreach (string name in names)
        {
            if (result.ContainsKey(name)) continue;
            if (!read.TryGetValue(name, out var array))
                throw new InvalidDataException($"{path} has no array '{name}' (entry '{name}.npy'); it holds {EntryList(path)}.");
            result[name] = array;
        }
        return result;
    }

    /// <summary>The arrays of <paramref name="path"/> whose key is in <paramref name="wanted"/> (all when null).</summary>
    private static Dictionary<string, NpyArray> ReadEntries(string path, HashSet<string>? wanted)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($".npz file not found: {path}", path);
        var result = new Dictionary<string, NpyArray>(StringComparer.Ordinal);
        using var zip = Open(path);
        foreach (var entry in zip.Entries)
        {
            string key = Key(entry);
            if (wanted is not null && !wanted.Contains(key)) continue;
            string source = $"{path} entry '{entry.FullName}' (array '{key}')";
            try
            {
                // Into memory first, to check the entry's CRC-32 (as Python's zipfile does): .NET does not check it on stored
                // entries, and a flipped data bit would otherwise load as a wrong number.
                if (entry.Length > Array.MaxLength) throw new InvalidDataException($"{source} has {entry.Length} bytes, more than one array can hold.");
                var bytes = new byte[entry.Length];
                using (var s = entry.Open()) s.ReadExactly(bytes);
                uint crc = Crc32.Append(0, bytes);
                if (crc != entry.Crc32)
                    throw new InvalidDataException($"{source} fails its CRC-32 check (0x{crc:X8}, the archive says 0x{entry.Crc32:X8}); the file is corrupt.");
                result[key] = Npy.Read(new MemoryStream(bytes, writable: false), source);
            }
            catch (EndOfStreamException e)
            {
                throw new InvalidDataException($"{source} ends before its {entry.Length} bytes; the file is truncated.", e);
            }
            catch (InvalidDataException e) when (!e.Message.StartsWith(source, StringComparison.Ordinal))
            {
                // The ZIP layer's own errors (bad local header, CRC mismatch) do not say which file or entry.
                throw new InvalidDataException($"{source} is not readable: {e.Message}", e);
            }
        }
        return result;
    }

    private static ZipArchive Open(string path)
    {
        try
        {
            return ZipFile.OpenRead(path);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path} is not a ZIP (.npz) archive: {e.Message}", e);
        }
    }

    private static string Key(ZipArchiveEntry entry) =>
        entry.FullName.EndsWith(".npy", StringComparison.Ordinal) ? entry.FullName[..^4] : entry.FullName;

    /// <summary>"'a', 'b'" (the keys of the archive's entries), or "no arrays".</summary>
    private static string EntryList(string path)
    {
        using var zip = Open(path);
        return zip.Entries.Count == 0 ? "no arrays" : string.Join(", ", zip.Entries.Select(e => $"'{Key(e)}'"));
    }

    /// <summary>Sizes and offsets at or above this use ZIP64 records (the 32-bit fields' limit); tests lower it.</summary>
    internal const long Zip64Limit = 0xFFFFFFFF;

    private const int MaxNameLength = 200;

    private static (string, NpyArray)[] ToArrays(IReadOnlyList<(string Name, ReadOnlyMemory<float> Data, int[] Shape)> arrays)
    {
        var result = new (string, NpyArray)[arrays.Count];
        for (int i = 0; i < result.Length; i++)
        {
            var (name, data, shape) = arrays[i];
            if (shape is null) throw new ArgumentNullException(nameof(arrays), $"The shape of entry '{name}' (index {i}) is null.");
            try
            {
                result[i] = (name, NpyArray.Create(data, shape));
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Entry '{name}' (index {i}): {e.Message}", nameof(arrays), e);
            }
        }
        return result;
    }

    private static void Check(IReadOnlyList<(string Name, NpyArray Array)> arrays)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < arrays.Count; i++)
        {
            var (name, array) = arrays[i];
            if (array is null) throw new ArgumentNullException(nameof(arrays), $"The array of entry '{name}' (index {i}) is null.");
            if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
                throw new ArgumentException($"Entry name '{name}' (index {i}) must be 1 to {MaxNameLength} characters from A-Z a-z 0-9 _ - .", nameof(arrays));
            if (!names.Add(name)) throw new ArgumentException($"Entry name '{name}' is repeated.", nameof(arrays));
        }
    }

    /// <summary>The archive: per entry a local header and the stored .npy bytes, then the central directory and its end
    /// records. Sizes or offsets &gt;= <paramref name="zip64Limit"/> get ZIP64 fields.</summary>
    internal static void WriteArchive(Stream stream, IReadOnlyList<(string Name, NpyArray Array)> arrays, long zip64Limit)
    {
        const ushort DosTime = 0;                      // 00:00:00
        const ushort DosDate = (0 << 9) | (1 << 5) | 1; // 1980-01-01, the earliest DOS date
        const ushort Version20 = 20, Version45 = 45;   // 2.0: stored entries; 4.5: ZIP64

        var central = new MemoryStream();
        long offset = 0;
        foreach (var (name, array) in arrays)
        {
            byte[] fileName = System.Text.Encoding.ASCII.GetBytes(name + ".npy");
            byte[] npyHeader = Npy.Header(array);
            ReadOnlySpan<byte> data = array.Bytes;
            uint crc = Crc32.Append(Crc32.Append(0, npyHeader), data);
            long size = npyHeader.Length + (long)data.Length;
            bool zip64Size = size >= zip64Limit;
            bool zip64Offset = offset >= zip64Limit;

            // Local file header (APPNOTE 4.3.7); ZIP64 sizes in its extra field (4.5.3) when the sizes overflow.
            var local = new BinaryWriterLe(30 + fileName.Length + (zip64Size ? 20 : 0));
            local.U32(0x04034b50);
            local.U16(zip64Size ? Version45 : Version20);
            local.U16(0);          // flags
            local.U16(0);          // method: stored
            local.U16(DosTime);
            local.U16(DosDate);
            local.U32(crc);
            local.U32(zip64Size ? uint.MaxValue : (uint)size);   // compressed size
            local.U32(zip64Size ? uint.MaxValue : (uint)size);   // uncompressed size
            local.U16((ushort)fileName.Length);
            local.U16((ushort)(zip64Size ? 20 : 0));
            local.Bytes(fileName);
            if (zip64Size)
            {
                local.U16(0x0001);
                local.U16(16);
                local.U64((ulong)size);  // uncompressed
                local.U64((ulong)size);  // compressed
            }
            stream.Write(local.Span);
            stream.Write(npyHeader);
            stream.Write(data);

            // Central directory header (4.3.12); its ZIP64 extra holds only the fields set to 0xFFFFFFFF, in APPNOTE order.
            int extra = (zip64Size ? 16 : 0) + (zip64Offset ? 8 : 0);
            int extraLength = extra > 0 ? 4 + extra : 0;
            var entry = new BinaryWriterLe(46 + fileName.Length + extraLength);
            entry.U32(0x02014b50);
            ushort version = zip64Size || zip64Offset ? Version45 : Version20;
            entry.U16(version);     // made by: MS-DOS host (0), so no Unix attributes
            entry.U16(version);     // needed to extract
            entry.U16(0);
            entry.U16(0);
            entry.U16(DosTime);
            entry.U16(DosDate);
            entry.U32(crc);
            entry.U32(zip64Size ? uint.MaxValue : (uint)size);
            entry.U32(zip64Size ? uint.MaxValue : (uint)size);
            entry.U16((ushort)fileName.Length);
            entry.U16((ushort)extraLength);
            entry.U16(0);           // comment length
            entry.U16(0);           // disk number start
            entry.U16(0);           // internal attributes
            entry.U32(0);           // external attributes
            entry.U32(zip64Offset ? uint.MaxValue : (uint)offset);
            entry.Bytes(fileName);
            if (extra > 0)
            {
                entry.U16(0x0001);
                entry.U16((ushort)extra);
                if (zip64Size)
                {
                    entry.U64((ulong)size);
                    entry.U64((ulong)size);
                }
                if (zip64Offset) entry.U64((ulong)offset);
            }
            central.Write(entry.Span);
            offset += local.Span.Length + size;
        }

        long centralOffset = offset;
        long centralSize = central.Length;
        long count = arrays.Count;
        central.Position = 0;
        central.CopyTo(stream);
        bool zip64End = count >= 0xFFFF || centralSize >= zip64Limit || centralOffset >= zip64Limit;
        if (zip64End)
        {
            // ZIP64 end of central directory record (4.3.14) and its locator (4.3.15).
            var record = new BinaryWriterLe(56 + 20);
            record.U32(0x06064b50);
            record.U64(44);         // size of the rest of the record
            record.U16(Version45);
            record.U16(Version45);
            record.U32(0);
            record.U32(0);
            record.U64((ulong)count);
            record.U64((ulong)count);
            record.U64((ulong)centralSize);
            record.U64((ulong)centralOffset);
            record.U32(0x07064b50);
            record.U32(0);
            record.U64((ulong)(centralOffset + centralSize));
            record.U32(1);
            stream.Write(record.Span);
        }
        // End of central directory record (4.3.16).
        var end = new BinaryWriterLe(22);
        end.U32(0x06054b50);
        end.U16(0);
        end.U16(0);
        end.U16(count >= 0xFFFF ? ushort.MaxValue : (ushort)count);
        end.U16(count >= 0xFFFF ? ushort.MaxValue : (ushort)count);
        end.U32(centralSize >= zip64Limit ? uint.MaxValue : (uint)centralSize);
        end.U32(centralOffset >= zip64Limit ? uint.MaxValue : (uint)centralOffset);
        end.U16(0);
        stream.Write(end.Span);
    }

    /// <summary>A fixed-size little-endian record builder.</summary>
    private sealed class BinaryWriterLe(int size)
    {
        private readonly byte[] _bytes = new byte[size];
        private int _at;

        public ReadOnlySpan<byte> Span => _bytes.AsSpan(0, _at);

        public void U16(ushort v) { BinaryPrimitives.WriteUInt16LittleEndian(_bytes.AsSpan(_at), v); _at += 2; }

        public void U32(uint v) { BinaryPrimitives.WriteUInt32LittleEndian(_bytes.AsSpan(_at), v); _at += 4; }

        public void U64(ulong v) { BinaryPrimitives.WriteUInt64LittleEndian(_bytes.AsSpan(_at), v); _at += 8; }

        public void Bytes(ReadOnlySpan<byte> v) { v.CopyTo(_bytes.AsSpan(_at)); _at += v.Length; }
    }
}

/// <summary>CRC-32 of ZIP (ISO-HDLC: reflected polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF), slicing by 8.</summary>
internal static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    private static uint[] BuildTable()
    {
        var t = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        for (int i = 0; i < 256; i++)
        {
            for (int s = 1; s < 8; s++) t[s * 256 + i] = (t[(s - 1) * 256 + i] >> 8) ^ t[t[(s - 1) * 256 + i] & 0xFF];
        }
        return t;
    }

    /// <summary>The CRC of the bytes hashed so far (<paramref name="crc"/>, 0 to start) followed by <paramref name="data"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint c = ~crc;
        var t = Table;
        while (data.Length >= 8)
        {
            uint lo = c ^ BinaryPrimitives.ReadUInt32LittleEndian(data);
            uint hi = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            c = t[7 * 256 + (lo & 0xFF)] ^ t[6 * 256 + ((lo >> 8) & 0xFF)] ^ t[5 * 256 + ((lo >> 16) & 0xFF)] ^ t[4 * 256 + (lo >> 24)]
              ^ t[3 * 256 + (hi & 0xFF)] ^ t[2 * 256 + ((hi >> 8) & 0xFF)] ^ t[256 + ((hi >> 16) & 0xFF)] ^ t[hi >> 24];
            data = data[8..];
        }
        foreach (byte b in data) c = t[(c ^ b) & 0xFF] ^ (c >> 8);
        return ~c;
    }
}
