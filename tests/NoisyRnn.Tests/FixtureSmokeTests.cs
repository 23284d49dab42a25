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
}
