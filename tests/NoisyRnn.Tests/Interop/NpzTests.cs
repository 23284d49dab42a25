using System.IO.Compression;
using System.Text;
using NoisyRnn.Interop;

namespace NoisyRnn.Tests.Interop;

public class NpzTests
{
    private static string TempFolder() => Directory.CreateTempSubdirectory("npz-").FullName;

    private static byte[] NpyBytes(NpyArray array)
    {
        using var ms = new MemoryStream();
        Npy.Write(ms, array);
        return ms.ToArray();
    }

    [Fact]
    public void NpyHeaderMatchesTheFormatByHand()
    {
        // Magic, version 1.0, header length 118 (little-endian uint16), the dict literal, numpy's 20 spare spaces for
        // the first axis (21 digits - len("2")), padding spaces and a newline: 10 + 118 = 128 bytes, a multiple of 64.
        const string Dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        string header = Dict.PadRight(117) + "\n";
        byte[] expected = [0x93, .. "NUMPY"u8, 1, 0, 118, 0, .. Encoding.ASCII.GetBytes(header), .. new byte[24]];
        Assert.Equal(expected, NpyBytes(NpyArray.Create(new float[6], 2, 3)));
    }

    [Theory]
    [InlineData(new int[0], "()")]
    [InlineData(new[] { 5 }, "(5,)")]
    [InlineData(new[] { 2, 100, 512 }, "(2, 100, 512)")]
    [InlineData(new[] { 0, 3 }, "(0, 3)")]
    public void NpyDataStartsAtAMultipleOf64(int[] shape, string tuple)
    {
        int length = shape.Aggregate(1, (a, b) => a * b);
        byte[] bytes = NpyBytes(NpyArray.Create(new double[length], shape));
        int headerLength = bytes[8] | (bytes[9] << 8);
        Assert.Equal(0, (10 + headerLength) % 64);
        string header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        Assert.StartsWith("{'descr': '<f8', 'fortran_order': False, 'shape': " + tuple + ", }", header);
        Assert.EndsWith(" \n", header);
        Assert.Equal(10 + headerLength + 8 * length, bytes.Length);
    }

    [Fact]
    public void NpzRoundTripKeepsOrderTypesShapesAndBits()
    {
        var rng = new Random(1);
        float[] hidden = Enumerable.Range(0, 2 * 3 * 4).Select(_ => (float)rng.NextDouble()).ToArray();
        hidden[5] = float.NaN;
        hidden[6] = -0f;
        double[] kl = [0.1, double.PositiveInfinity, -1e-300];
        int[] steps = [1, -2, int.MaxValue];
        string dir = TempFolder();
        try
        {
            string path = Path.Combine(dir, "activity.npz");
            Npz.Write(path, [("hidden", NpyArray.Create(hidden, 2, 3, 4)), ("kl", NpyArray.Create(kl, 3)), ("steps", NpyArray.Create(steps, 3, 1)),
                ("scalar", NpyArray.Create(new[] { 2.5f })), ("none", NpyArray.Create(ReadOnlyMemory<float>.Empty, 0, 7))]);
            var read = Npz.Read(path);
            Assert.Equal(["hidden", "kl", "steps", "scalar", "none"], read.Keys);
            Assert.Equal([2, 3, 4], read["hidden"].Shape);
            Assert.Equal(hidden.Select(BitConverter.SingleToInt32Bits), read["hidden"].AsFloat32().ToArray().Select(BitConverter.SingleToInt32Bits));
            Assert.Equal(kl, read["kl"].AsFloat64().ToArray());
            Assert.Equal(steps, read["steps"].AsInt32().ToArray());
            Assert.Equal([3, 1], read["steps"].Shape);
            Assert.Empty(read["scalar"].Shape);
            Assert.Equal(2.5f, read["scalar"].AsFloat32().Span[0]);
            Assert.Equal([0, 7], read["none"].Shape);
            Assert.Throws<InvalidOperationException>(() => read["kl"].AsFloat32());

            // Stored entries with the fixed timestamp, each the .npy bytes.
            using var zip = ZipFile.OpenRead(path);
            foreach (var entry in zip.Entries)
            {
                Assert.Equal(entry.Length, entry.CompressedLength);
                Assert.Equal(new DateTime(1980, 1, 1), entry.LastWriteTime.DateTime);
            }
            using var s = zip.GetEntry("kl.npy")!.Open();
            using var copy = new MemoryStream();
            s.CopyTo(copy);
            Assert.Equal(NpyBytes(NpyArray.Create(kl, 3)), copy.ToArray());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void NpzIsDeterministicByteForByte()
    {
        float[] a = [1, 2, 3, 4, 5, 6];
        string dir = TempFolder();
        try
        {
            string p1 = Path.Combine(dir, "1.npz"), p2 = Path.Combine(dir, "2.npz");
            Npz.Write(p1, [("a", a.AsMemory(), [2, 3]), ("b", a.AsMemory(0, 2), [2])]);
            Npz.Write(p2, [("a", (ReadOnlyMemory<float>)a.ToArray(), [2, 3]), ("b", new float[] { 1, 2 }, [2])]);
            byte[] bytes = File.ReadAllBytes(p1);
            Assert.Equal(bytes, File.ReadAllBytes(p2));
            using var ms = new MemoryStream();
            Npz.Write(ms, [("a", NpyArray.Create(a, 2, 3)), ("b", NpyArray.Create(a.AsMemory(0, 2), 2))]);
            Assert.Equal(bytes, ms.ToArray());
            Assert.Equal(2, Directory.GetFiles(dir).Length); // no temporary files left behind
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ForcedZip64RecordsReadBack()
    {
        using var ms = new MemoryStream();
        var arrays = new List<(string, NpyArray)> { ("a", NpyArray.Create(new float[] { 1, 2, 3 }, 3)), ("b", NpyArray.Create(new[] { 7 }, 1)) };
        Npz.WriteArchive(ms, arrays, zip64Limit: 0);
        ms.Position = 0;
        using var zip = new ZipArchive(ms, ZipArchiveMode.Read);
        Assert.Equal(["a.npy", "b.npy"], zip.Entries.Select(e => e.FullName));
        using var s = zip.GetEntry("a.npy")!.Open();
        Assert.Equal([1f, 2f, 3f], Npy.Read(s).AsFloat32().ToArray());
    }

    [Fact]
    public void Crc32IsTheZipChecksum()
    {
        Assert.Equal(0xCBF43926u, Crc32.Append(0, "123456789"u8)); // the standard check value of CRC-32/ISO-HDLC
        byte[] data = Enumerable.Range(0, 1000).Select(i => (byte)(i * 31)).ToArray();
        Assert.Equal(Crc32.Append(0, data), Crc32.Append(Crc32.Append(0, data.AsSpan(0, 333)), data.AsSpan(333)));
    }

    [Fact]
    public void WriteRejectsBadInput()
    {
        using var ms = new MemoryStream();
        var one = NpyArray.Create(new float[1], 1);
        var e = Assert.Throws<ArgumentException>(() => NpyArray.Create(new float[5], 2, 3));
        Assert.Equal("shape", e.ParamName);
        Assert.Contains("[2, 3] needs 6", e.Message);
        Assert.Equal("shape", Assert.Throws<ArgumentException>(() => NpyArray.Create(new float[0], 2, -1)).ParamName);
        Assert.Equal("arrays", Assert.Throws<ArgumentException>(() => Npz.Write(ms, [("a", one), ("a", one)])).ParamName);
        Assert.Equal("arrays", Assert.Throws<ArgumentException>(() => Npz.Write(ms, [("a/b", one)])).ParamName);
        Assert.Equal("arrays", Assert.Throws<ArgumentException>(() => Npz.Write(ms, [("", one)])).ParamName);
        Assert.Throws<ArgumentNullException>(() => Npz.Write(ms, [("a", null!)]));
        var tuple = Assert.Throws<ArgumentException>(() => Npz.Write(Path.Combine(Path.GetTempPath(), "never.npz"), [("hidden", new float[5], [2, 3])]));
        Assert.Equal("arrays", tuple.ParamName);
        Assert.Contains("'hidden'", tuple.Message);
        Assert.False(File.Exists(Path.Combine(Path.GetTempPath(), "never.npz")));
        Assert.Equal(0, ms.Length);
    }

    [Fact]
    public void ReadReportsBadFiles()
    {
        Assert.Contains("magic", Assert.Throws<InvalidDataException>(() => Npy.Read(new MemoryStream("not numpy"u8.ToArray()))).Message);
        byte[] good = NpyBytes(NpyArray.Create(new float[] { 1, 2 }, 2));
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => Npy.Read(new MemoryStream(good[..^1]))).Message);
        Assert.Contains("bytes after", Assert.Throws<InvalidDataException>(() => Npy.Read(new MemoryStream([.. good, 0]))).Message);
        byte[] fortran = NpyBytes(NpyArray.Create(new float[] { 1, 2 }, 2));
        Encoding.ASCII.GetBytes("True ").CopyTo(fortran, 10 + "{'descr': '<f4', 'fortran_order': ".Length);
        Assert.Contains("Fortran", Assert.Throws<InvalidDataException>(() => Npy.Read(new MemoryStream(fortran))).Message);
        byte[] int64 = NpyBytes(NpyArray.Create(new float[] { 1, 2 }, 2));
        Encoding.ASCII.GetBytes("i8").CopyTo(int64, 10 + "{'descr': '<".Length);
        Assert.Contains("'<i8'", Assert.Throws<InvalidDataException>(() => Npy.Read(new MemoryStream(int64))).Message);
        // Big-endian data (as numpy writes '>f4') is swapped into the machine's order.
        byte[] big = NpyBytes(NpyArray.Create(new float[] { 1, 2 }, 2));
        big[10 + "{'descr': '".Length] = (byte)'>';
        Array.Reverse(big, big.Length - 8, 4);
        Array.Reverse(big, big.Length - 4, 4);
        Assert.Equal([1f, 2f], Npy.Read(new MemoryStream(big)).AsFloat32().ToArray());

        string dir = TempFolder();
        try
        {
            string notZip = Path.Combine(dir, "x.npz");
            File.WriteAllBytes(notZip, good);
            Assert.Contains("not a ZIP", Assert.Throws<InvalidDataException>(() => Npz.Read(notZip)).Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ReadByNameRoundTripsTheWritersArraysWithTheirShapes()
    {
        float[] hidden = Enumerable.Range(0, 2 * 3 * 4).Select(i => i * 0.25f - 1).ToArray();
        float[] outputs = [0.5f, -0.5f, 1, -1];
        string dir = TempFolder();
        try
        {
            string path = Path.Combine(dir, "activity.npz");
            Npz.Write(path, [("active_hidden", NpyArray.Create(hidden, 2, 3, 4)), ("quiescent_outputs", NpyArray.Create(outputs, 1, 2, 2)),
                ("stride", NpyArray.Create(new[] { 5 })), ("empty", NpyArray.Create(ReadOnlyMemory<float>.Empty, 0, 0, 4))]);
            var read = Npz.Read(path, ["quiescent_outputs", "active_hidden", "empty", "active_hidden"]);
            Assert.Equal(["quiescent_outputs", "active_hidden", "empty"], read.Keys); // the caller's order, repeats once
            Assert.Equal([2, 3, 4], read["active_hidden"].Shape);
            Assert.Equal(hidden, read["active_hidden"].AsFloat32().ToArray());
            Assert.Equal([1, 2, 2], read["quiescent_outputs"].Shape);
            Assert.Equal(outputs, read["quiescent_outputs"].AsFloat32().ToArray());
            Assert.Equal([0, 0, 4], read["empty"].Shape);
            Assert.False(read.ContainsKey("stride"));
            Assert.Empty(Npz.Read(path, []));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ReadByNameNamesTheFileAndTheArrayOfAMalformedArchive()
    {
        string dir = TempFolder();
        try
        {
            string path = Path.Combine(dir, "activity.npz");
            Npz.Write(path, [("active_hidden", NpyArray.Create(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3)), ("quiescent_outputs", NpyArray.Create(new float[] { 1, 2 }, 2))]);

            // An array the file does not hold: the message names the file, the array and what the file holds.
            var missing = Assert.Throws<InvalidDataException>(() => Npz.Read(path, ["active_hidden", "quiescent_hidden"]));
            Assert.Contains(path, missing.Message);
            Assert.Contains("'quiescent_hidden'", missing.Message);
            Assert.Contains("'active_hidden', 'quiescent_outputs'", missing.Message);

            // A torn file (the end of the archive cut off): not a ZIP, named.
            byte[] bytes = File.ReadAllBytes(path);
            string torn = Path.Combine(dir, "torn.npz");
            File.WriteAllBytes(torn, bytes[..(bytes.Length / 2)]);
            var t = Assert.Throws<InvalidDataException>(() => Npz.Read(torn, ["active_hidden"]));
            Assert.Contains(torn, t.Message);
            Assert.Contains("not a ZIP", t.Message);

            // A flipped data byte: the stored entry fails its CRC; the message names the file and the array.
            string flipped = Path.Combine(dir, "flipped.npz");
            byte[] copy = (byte[])bytes.Clone();
            int data = IndexOf(copy, "active_hidden.npy"u8) + "active_hidden.npy".Length + 128 + 4; // past the .npy header
            copy[data] ^= 0xFF;
            File.WriteAllBytes(flipped, copy);
            var f = Assert.Throws<InvalidDataException>(() => Npz.Read(flipped, ["active_hidden"]));
            Assert.Contains(flipped, f.Message);
            Assert.Contains("'active_hidden'", f.Message);
            Assert.Equal(2f, Npz.Read(flipped, ["quiescent_outputs"])["quiescent_outputs"].AsFloat32().Span[1]); // the other entry is untouched

            // An entry that is not .npy (a truncated array inside a well-formed ZIP).
            string badEntry = Path.Combine(dir, "bad-entry.npz");
            using (var zip = ZipFile.Open(badEntry, ZipArchiveMode.Create))
            {
                using var s = zip.CreateEntry("active_hidden.npy").Open();
                s.Write(NpyBytes(NpyArray.Create(new float[] { 1, 2, 3, 4 }, 4))[..^3]);
            }
            var b = Assert.Throws<InvalidDataException>(() => Npz.Read(badEntry, ["active_hidden"]));
            Assert.Contains(badEntry, b.Message);
            Assert.Contains("'active_hidden", b.Message);
            Assert.Contains("truncated", b.Message);

            Assert.Throws<FileNotFoundException>(() => Npz.Read(Path.Combine(dir, "none.npz"), ["a"]));
            Assert.Equal("names", Assert.Throws<ArgumentException>(() => Npz.Read(path, [""])).ParamName);
            Assert.Throws<ArgumentNullException>(() => Npz.Read(path, (IReadOnlyCollection<string>)null!));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);
}
