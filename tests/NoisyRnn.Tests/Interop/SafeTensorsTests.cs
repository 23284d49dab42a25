using System.Buffers.Binary;
using System.Text;
using NoisyRnn.Interop;

namespace NoisyRnn.Tests.Interop;

public class SafeTensorsTests
{
    private static byte[] ToBytes(IEnumerable<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var ms = new MemoryStream();
        SafeTensors.Write(ms, tensors, metadata);
        return ms.ToArray();
    }

    private static SafeTensorsFile FromBytes(byte[] bytes) => SafeTensors.Read(new MemoryStream(bytes));

    /// <summary>A file with its header text written out by hand from the specification.</summary>
    private static byte[] RawFile(string header, params float[] data)
    {
        var bytes = new List<byte>();
        var length = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)Encoding.UTF8.GetByteCount(header));
        bytes.AddRange(length);
        bytes.AddRange(Encoding.UTF8.GetBytes(header));
        foreach (float f in data)
        {
            var b = new byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(b, f);
            bytes.AddRange(b);
        }
        return bytes.ToArray();
    }

    [Fact]
    public void TinyFileMatchesTheSpecificationByteForByte()
    {
        // Header JSON: metadata first, tensors in name order, no whitespace; 135 bytes, padded with one space to 136 (a
        // multiple of 8); then a = [1, -2] at [0, 8) and b = [[0.5]] at [8, 12), little-endian float32.
        const string Json = """{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1,1],"data_offsets":[8,12]}}""";
        Assert.Equal(135, Json.Length);
        byte[] expected =
        [
            136, 0, 0, 0, 0, 0, 0, 0,
            .. Encoding.ASCII.GetBytes(Json + " "),
            0x00, 0x00, 0x80, 0x3F, // 1
            0x00, 0x00, 0x00, 0xC0, // -2
            0x00, 0x00, 0x00, 0x3F, // 0.5
        ];
        // Given in reverse order: the writer sorts by name.
        byte[] actual = ToBytes([new SafeTensor("b", new[] { 0.5f }, 1, 1), new SafeTensor("a", new[] { 1f, -2f }, 2)],
            new Dictionary<string, string> { ["k"] = "v" });
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void WithoutMetadataTheKeyIsOmittedAndTheHeaderStaysAligned()
    {
        byte[] bytes = ToBytes([new SafeTensor("x", new[] { 3f }, 1)]);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, n % 8);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.Equal("""{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", header.TrimEnd(' '));
        Assert.Empty(FromBytes(bytes).Metadata);
    }

    [Fact]
    public void RoundTripKeepsBitsShapesAndMetadata()
    {
        float[] special = [float.NaN, -0f, float.Epsilon, float.MaxValue, float.NegativeInfinity, 1e-40f, 3.14159f];
        var rng = new Random(7);
        float[] matrix = Enumerable.Range(0, 12).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        var metadata = new Dictionary<string, string>
        {
            ["task"] = """{"kind":"spatial","box":[2.2,2.2]}""",
            ["quote\"back\\slash"] = "line\nbreak\ttab\u0001ctl",
            ["unicode"] = "σ² → ∇log p 😀",
        };
        var file = FromBytes(ToBytes(
        [
            new SafeTensor("w.weight", matrix, 3, 4),
            new SafeTensor("special", special, 7),
            new SafeTensor("scalar", new[] { 42f }),
            new SafeTensor("empty", ReadOnlyMemory<float>.Empty, 0, 5),
        ], metadata));

        Assert.Equal(["empty", "scalar", "special", "w.weight"], file.Tensors.Select(t => t.Name));
        Assert.Equal([3, 4], file["w.weight"].Shape);
        Assert.Equal(matrix.Select(BitConverter.SingleToInt32Bits), file["w.weight"].Data.ToArray().Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(special.Select(BitConverter.SingleToInt32Bits), file["special"].Data.ToArray().Select(BitConverter.SingleToInt32Bits));
        Assert.Empty(file["scalar"].Shape);
        Assert.Equal(42f, file["scalar"].Data.Span[0]);
        Assert.Equal([0, 5], file["empty"].Shape);
        Assert.Equal(metadata.OrderBy(p => p.Key, StringComparer.Ordinal), file.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void SameTensorsGiveTheSameBytesWhateverTheOrder()
    {
        var a = new SafeTensor("a", new[] { 1f, 2f }, 2);
        var b = new SafeTensor("B", new[] { 3f }, 1);
        var c = new SafeTensor("a.b", new[] { 4f }, 1, 1);
        var m1 = new Dictionary<string, string> { ["z"] = "1", ["a"] = "2", ["Z"] = "3" };
        var m2 = new Dictionary<string, string> { ["Z"] = "3", ["a"] = "2", ["z"] = "1" };
        Assert.Equal(ToBytes([a, b, c], m1), ToBytes([c, a, b], m2));

        string dir = Directory.CreateTempSubdirectory("safetensors-").FullName;
        try
        {
            string p1 = Path.Combine(dir, "1.safetensors"), p2 = Path.Combine(dir, "sub", "2.safetensors");
            SafeTensors.Write(p1, [a, b, c], m1);
            SafeTensors.Write(p2, [b, c, a], m2);
            Assert.Equal(File.ReadAllBytes(p1), File.ReadAllBytes(p2));
            Assert.Equal(ToBytes([a, b, c], m1), File.ReadAllBytes(p1));
            Assert.Single(Directory.GetFiles(dir)); // no temporary file left behind
            Assert.Equal([1f, 2f], SafeTensors.Read(p1)["a"].Data.ToArray());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void TensorConstructorRejectsBadInput()
    {
        var e = Assert.Throws<ArgumentException>(() => new SafeTensor("w", new float[5], 2, 3));
        Assert.Equal("data", e.ParamName);
        Assert.Contains("[2, 3] needs 6", e.Message);
        Assert.Equal("shape", Assert.Throws<ArgumentException>(() => new SafeTensor("w", new float[0], -1)).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => new SafeTensor("", new float[1], 1)).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => new SafeTensor("__metadata__", new float[1], 1)).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => new SafeTensor("bad\uD800", new float[1], 1)).ParamName);
        Assert.Throws<ArgumentNullException>(() => new SafeTensor("w", new float[1], null!));
    }

    [Fact]
    public void WriterRejectsRepeatedNamesAndBadMetadata()
    {
        var t = new SafeTensor("w", new float[1], 1);
        Assert.Equal("tensors", Assert.Throws<ArgumentException>(() => ToBytes([t, new SafeTensor("w", new float[2], 2)])).ParamName);
        Assert.Equal("metadata", Assert.Throws<ArgumentException>(() => ToBytes([t], new Dictionary<string, string> { ["k"] = null! })).ParamName);
        Assert.Equal("metadata", Assert.Throws<ArgumentException>(() => ToBytes([t], new Dictionary<string, string> { ["k"] = "\uDC00" })).ParamName);
        Assert.Throws<ArgumentNullException>(() => ToBytes([t, null!]));
    }

    public static TheoryData<string, byte[]> CorruptFiles() => new()
    {
        { "ends inside the 8-byte header size", new byte[] { 1, 2, 3 } },
        { "only 3 bytes follow", [10, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'}', (byte)' '] },
        { "exceeds the limit", [0, 0, 0, 0, 0, 0, 0, 1] },
        { "starting with '{'", RawFile(" {}") },
        { "not valid JSON", RawFile("{\"a\":") },
        { "dtype 'F16'", RawFile("""{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}""", 0f) },
        { "span 8 bytes", RawFile("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 0f, 0f) },
        { "overlap", RawFile("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 0f, 0f) },
        { "belong to no tensor", RawFile("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 0f, 0f) },
        { "trailing bytes", RawFile("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 0f, 0f) },
        { "truncated", RawFile("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 0f) },
        { "strings only", RawFile("""{"__metadata__":{"k":1}}""") },
        { "twice", RawFile("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 0f, 0f) },
        { "no 'data_offsets'", RawFile("""{"a":{"dtype":"F32","shape":[1]}}""", 0f) },
        { "dimensions must be integers", RawFile("""{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", 0f) },
        { "end must be >= begin", RawFile("""{"a":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}""", 0f) },
    };

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public void ReaderReportsCorruptFiles(string expectedMessage, byte[] bytes)
    {
        var e = Assert.Throws<InvalidDataException>(() => FromBytes(bytes));
        Assert.Contains(expectedMessage, e.Message);
    }

    [Fact]
    public void ReaderReportsTrailingBytesOnAStreamThatCannotSeek()
    {
        byte[] bytes = [.. ToBytes([new SafeTensor("a", new[] { 1f }, 1)]), 7];
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(new ForwardOnlyStream(bytes)));
        Assert.Contains("no trailing data", e.Message);
        Assert.Equal(1f, SafeTensors.Read(new ForwardOnlyStream(bytes[..^1]))["a"].Data.Span[0]);
    }

    [Fact]
    public void MissingFileIsReported()
    {
        Assert.Throws<FileNotFoundException>(() => SafeTensors.Read(Path.Combine(Path.GetTempPath(), Guid.NewGuid() + ".safetensors")));
    }

    /// <summary>A read-only stream without seeking, as a network or pipe stream.</summary>
    internal sealed class ForwardOnlyStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 3));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
