using System.Text.Json;

namespace NoisyRnn.Tests.Fixtures;

/// <summary>A tensor read from a reference fixture: shape and row-major data (float64 as written).</summary>
public sealed record FixtureTensor(int[] Shape, double[] Data)
{
    /// <summary>The data as float32, the precision the reference computed in.</summary>
    public float[] AsFloat() => Array.ConvertAll(Data, x => (float)x);
}

/// <summary>
/// Loads the golden files of the published reference from tests/fixtures/reference in the repository (a copy of
/// shared/fixtures/reference, so that a plain clone passes the tests). ../shared/fixtures/reference beside the checkout
/// is only an extra: it is read when the repository copy is missing, and a test checks that the two agree when both
/// exist. A missing folder fails the test: the parity tests must never silently skip.
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

    /// <summary>The copy in the repository: tests/fixtures/reference under the repository root.</summary>
    public static string RepositoryDirectory => Path.Combine(RepositoryRoot(), "tests", "fixtures", "reference");

    /// <summary>The shared folder beside the checkout, ../shared/fixtures/reference, or null when it is absent.</summary>
    public static string? SharedDirectory
    {
        get
        {
            string folder = Path.GetFullPath(Path.Combine(RepositoryRoot(), "..", "shared", "fixtures", "reference"));
            return System.IO.Directory.Exists(folder) ? folder : null;
        }
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "NoisyRnn.sln"))) dir = dir.Parent;
        if (dir == null) throw new DirectoryNotFoundException($"Could not find the repository root (NoisyRnn.sln) above {AppContext.BaseDirectory}.");
        return dir.FullName;
    }

    private static string FindFolder()
    {
        if (System.IO.Directory.Exists(RepositoryDirectory)) return RepositoryDirectory;
        return SharedDirectory ?? throw new DirectoryNotFoundException(
            $"Reference fixtures not found at {RepositoryDirectory} (part of the repository) nor in ../shared/fixtures/reference beside the checkout.");
    }
}
