using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace NoisyRnn.Interop;

/// <summary>
/// NumPy's <c>.npy</c> format, version 1.0 (numpy.lib.format, NEP 1), written and read by hand: the magic string
/// <c>\x93NUMPY</c>, the version bytes 1 and 0, a little-endian uint16 header length, then an ASCII header that is a Python
/// dict literal <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }</c> padded with spaces and ended by
/// <c>\n</c> so that the data starts at a multiple of 64 bytes, then the elements in C order. The header is laid out
/// as <c>numpy.save</c> lays it out (keys sorted, the same spare space after the dict), so files load with
/// <c>numpy.load</c> and are deterministic byte for byte. The type string follows the machine's byte order (<c>&lt;</c>
/// on every platform .NET ships on); supported types: <c>f4</c>, <c>f8</c>, <c>i4</c>.
/// </summary>
public static class Npy
{
    /// <summary>The 6-byte magic string at the start of every .npy file.</summary>
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Alignment of the data, numpy.lib.format.ARRAY_ALIGN.</summary>
    private const int ArrayAlign = 64;

    /// <summary>numpy.lib.format.GROWTH_AXIS_MAX_DIGITS: spare header space NumPy leaves for the first axis to grow.</summary>
    private const int GrowthAxisMaxDigits = 21;

    /// <summary>Writes one array as a .npy file, atomically (temporary file, then rename).</summary>
    /// <param name="path">Target file, conventionally <c>*.npy</c>; its folder is created if needed.</param>
    /// <param name="array">The array.</param>
    /// <exception cref="ArgumentNullException"><paramref name="array"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Write(string path, NpyArray array)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(array);
        AtomicFile.Write(path, stream => Write(stream, array));
    }

    /// <summary>Writes one array in .npy format to a stream, from its current position.</summary>
    /// <param name="stream">A writable stream; left open.</param>
    /// <param name="array">The array.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The stream is not writable.</exception>
    public static void Write(Stream stream, NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(array);
        if (!stream.CanWrite) throw new ArgumentException("The stream must be writable.", nameof(stream));
        stream.Write(Header(array));
        stream.Write(array.Bytes);
    }

    /// <summary>Reads a .npy file (versions 1.0, 2.0 and 3.0; C order; types f4, f8, i4 in either byte order).</summary>
    /// <param name="path">The file.</param>
    /// <returns>The array, in a new buffer in the machine's byte order.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not .npy, is truncated or has trailing bytes, or its array is
    /// Fortran-ordered or of an unsupported type.</exception>
    public static NpyArray Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($".npy file not found: {path}", path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return Read(stream, path);
    }

    /// <summary>Reads one .npy array from a stream, from its current position to its end.</summary>
    /// <param name="stream">A readable stream; left open.</param>
    /// <returns>The array.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException">The stream is not readable.</exception>
    /// <exception cref="InvalidDataException">As <see cref="Read(string)"/>.</exception>
    public static NpyArray Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead) throw new ArgumentException("The stream must be readable.", nameof(stream));
        return Read(stream, "the stream");
    }

    /// <summary>The NumPy type string of <paramref name="type"/> in this machine's byte order.</summary>
    internal static string Descr(NpyDataType type) => (BitConverter.IsLittleEndian ? "<" : ">") + type switch
    {
        NpyDataType.Float32 => "f4",
        NpyDataType.Float64 => "f8",
        _ => "i4",
    };

    /// <summary>Magic, version 1.0, header length and the padded header, as numpy.lib.format._write_array_header writes them.</summary>
    internal static byte[] Header(NpyArray array)
    {
        var sb = new StringBuilder();
        sb.Append("{'descr': '").Append(Descr(array.DataType)).Append("', 'fortran_order': False, 'shape': (");
        var shape = array.ShapeSpan;
        for (int i = 0; i < shape.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(shape[i].ToString(CultureInfo.InvariantCulture));
        }
        if (shape.Length == 1) sb.Append(',');
        sb.Append("), }");
        if (shape.Length > 0) sb.Append(' ', GrowthAxisMaxDigits - shape[0].ToString(CultureInfo.InvariantCulture).Length);
        // numpy's _wrap_header: hlen counts the final newline; padlen = ARRAY_ALIGN - ((8 + 2 + hlen) % ARRAY_ALIGN), in 1..64.
        int hlen = sb.Length + 1;
        int padlen = ArrayAlign - ((Magic.Length + 2 + 2 + hlen) % ArrayAlign);
        sb.Append(' ', padlen).Append('\n');
        if (sb.Length > ushort.MaxValue)
            throw new ArgumentException($"The shape {SafeTensor.ShapeText(shape)} makes a header of {sb.Length} bytes, more than format 1.0 allows ({ushort.MaxValue}).", nameof(array));
        var bytes = new byte[Magic.Length + 2 + 2 + sb.Length];
        Magic.CopyTo(bytes);
        bytes[6] = 1;
        bytes[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)sb.Length);
        Encoding.ASCII.GetBytes(sb.ToString(), bytes.AsSpan(10));
        return bytes;
    }

    private static readonly Regex DescrPattern = new(@"'descr'\s*:\s*'([<>|=])([fi])(\d+)'", RegexOptions.CultureInvariant);
    private static readonly Regex FortranPattern = new(@"'fortran_order'\s*:\s*(True|False)", RegexOptions.CultureInvariant);
    private static readonly Regex ShapePattern = new(@"'shape'\s*:\s*\(([^)]*)\)", RegexOptions.CultureInvariant);

    internal static NpyArray Read(Stream stream, string source)
    {
        Span<byte> prefix = stackalloc byte[8];
        ReadExactly(stream, prefix, source, "the magic string");
        if (!prefix[..6].SequenceEqual(Magic)) throw new InvalidDataException($"{source} is not a .npy file (no \\x93NUMPY magic string).");
        byte major = prefix[6];
        int headerLength;
        if (major == 1)
        {
            Span<byte> len = stackalloc byte[2];
            ReadExactly(stream, len, source, "the header length");
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(len);
        }
        else if (major is 2 or 3)
        {
            Span<byte> len = stackalloc byte[4];
            ReadExactly(stream, len, source, "the header length");
            uint l = BinaryPrimitives.ReadUInt32LittleEndian(len);
            if (l > 1 << 24) throw new InvalidDataException($"{source} claims a header of {l} bytes.");
            headerLength = (int)l;
        }
        else
        {
            throw new InvalidDataException($"{source} has .npy format version {major}.{prefix[7]}; this reader reads 1.0, 2.0 and 3.0.");
        }
        var headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, source, "the header");
        string header = major == 3 ? Encoding.UTF8.GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);

        var descr = DescrPattern.Match(header);
        var fortran = FortranPattern.Match(header);
        var shapeMatch = ShapePattern.Match(header);
        if (!descr.Success || !fortran.Success || !shapeMatch.Success)
            throw new InvalidDataException($"{source} has a header without 'descr', 'fortran_order' or 'shape': {header.Trim()}");
        if (fortran.Groups[1].Value == "True")
            throw new InvalidDataException($"{source} holds a Fortran-ordered array; this reader reads C order only (save it with numpy.ascontiguousarray).");
        string kind = descr.Groups[2].Value + descr.Groups[3].Value;
        NpyDataType type = kind switch
        {
            "f4" => NpyDataType.Float32,
            "f8" => NpyDataType.Float64,
            "i4" => NpyDataType.Int32,
            _ => throw new InvalidDataException($"{source} holds '{descr.Groups[1].Value}{kind}' elements; this reader reads f4, f8 and i4."),
        };
        bool swap = descr.Groups[1].Value switch
        {
            "<" => !BitConverter.IsLittleEndian,
            ">" => BitConverter.IsLittleEndian,
            _ => false,
        };
        var dims = shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var shape = new int[dims.Length];
        long count = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            string d = dims[i].TrimEnd('L');
            if (!int.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]))
                throw new InvalidDataException($"{source} has shape ({shapeMatch.Groups[1].Value}); dimensions must be integers in [0, {int.MaxValue}].");
            count *= shape[i];
            if (count > Array.MaxLength) throw new InvalidDataException($"{source} holds more than {Array.MaxLength} elements (one array).");
        }

        NpyArray array;
        switch (type)
        {
            case NpyDataType.Float32:
            {
                var v = new float[count];
                ReadElements(stream, MemoryMarshal.AsBytes(v.AsSpan()), 4, swap, source);
                array = NpyArray.Create(v, shape);
                break;
            }
            case NpyDataType.Float64:
            {
                var v = new double[count];
                ReadElements(stream, MemoryMarshal.AsBytes(v.AsSpan()), 8, swap, source);
                array = NpyArray.Create(v, shape);
                break;
            }
            default:
            {
                var v = new int[count];
                ReadElements(stream, MemoryMarshal.AsBytes(v.AsSpan()), 4, swap, source);
                array = NpyArray.Create(v, shape);
                break;
            }
        }
        if (stream.CanSeek ? stream.Position != stream.Length : stream.ReadByte() != -1)
            throw new InvalidDataException($"{source} has bytes after the {count} elements its header describes.");
        return array;
    }

    private static void ReadElements(Stream stream, Span<byte> bytes, int size, bool swap, string source)
    {
        ReadExactly(stream, bytes, source, "the data");
        if (!swap) return;
        for (int i = 0; i < bytes.Length; i += size) bytes.Slice(i, size).Reverse();
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
}
