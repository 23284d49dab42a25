using NoisyRnn.Tests.Fixtures;

namespace NoisyRnn.Tests;

public class FixtureSmokeTests
{
    [Fact]
    public void ReferenceFolderIsFoundAndTensorsHaveConsistentShapes()
    {
        var root = ReferenceFixtures.Load("vanilla_relu.json");
        var hidden = ReferenceFixtures.Tensor(root, "hidden");
        Assert.Equal(new[] { 3, 6, 7 }, hidden.Shape);
    }

    [Fact]
    public void FixturesAreReadFromTheRepositoryCopy()
    {
        Assert.Equal(Path.GetFullPath(ReferenceFixtures.RepositoryDirectory), Path.GetFullPath(ReferenceFixtures.Directory));
        Assert.True(File.Exists(Path.Combine(ReferenceFixtures.Directory, "README.md")), "the fixtures' README travels with them");
    }

    [Fact]
    public void RepositoryCopyMatchesSharedFolderWhenPresent()
    {
        // ../shared is optional (a plain clone has none); when CI lays it beside the checkout, the copy must not drift.
        string? shared = ReferenceFixtures.SharedDirectory;
        if (shared is null) return;
        var names = Directory.GetFiles(shared, "*.json").Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(names, Directory.GetFiles(ReferenceFixtures.RepositoryDirectory, "*.json").Select(Path.GetFileName).Order().ToArray());
        foreach (string? name in names)
            Assert.True(File.ReadAllBytes(Path.Combine(shared, name!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(ReferenceFixtures.RepositoryDirectory, name!))),
                $"tests/fixtures/reference/{name} differs from ../shared/fixtures/reference/{name}");
    }
}
