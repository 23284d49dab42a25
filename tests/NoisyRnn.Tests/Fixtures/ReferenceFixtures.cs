using System.Text.Json;

namespace NoisyRnn.Tests.Fixtures;

/// <summary>A tensor read from a reference fixture: shape and row-major data (float64 as written).</summary>
public sealed record FixtureTensor(int[] Shape, double[] Data)
{
    /// <summary>The data as float32, the precision the reference computed in.</summary>
    public float[] AsFloat() => Array.ConvertAll(Data, x => (float)x);
}

/// <summary>
/// Loads the golden files in ../shared/fixtures/reference (relative to the repository root). A missing folder
/// fails the test: the parity tests must never silently skip.
/// </summary>
public static class ReferenceFixtures
{
    private static readonly Lazy<string> Folder = new(FindFolder);

    public static string Directory => Folder.Value;

    public static JsonElement Load(string fileName)
    {
        string path = Path.Combine(Folder.Value, fileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"Reference fixture missing: {path}", path);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }

    public static FixtureTensor Tensor(JsonElement element)
    {
        int[] shape = element.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        double[] data = element.GetProperty("data").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        long expected = shape.Aggregate(1L, (a, b) => a * b);
        if (data.Length != expected) throw new InvalidDataException($"Tensor data has {data.Length} values, shape says {expected}.");
        return new FixtureTensor(shape, data);
    }

    public static FixtureTensor Tensor(JsonElement parent, params string[] path)
    {
        JsonElement e = parent;
        foreach (string p in path) e = e.GetProperty(p);
        return Tensor(e);
    }

    public static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    private static string FindFolder()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "NoisyRnn.sln"))) dir = dir.Parent;
        if (dir == null) throw new DirectoryNotFoundException($"Could not find the repository root (NoisyRnn.sln) above {AppContext.BaseDirectory}.");
        string folder = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "fixtures", "reference"));
        if (!System.IO.Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Reference fixtures not found at {folder}; CI lays shared/ beside the checkout.");
        return folder;
    }
}
