using NoisyRnn.Models;

namespace NoisyRnn.Tests.Models;

public class ParameterSetTests
{
    [Fact]
    public void ViewsAreContiguousInLayoutOrder()
    {
        var model = new VanillaRnn(new VanillaRnnOptions(2, 7, 5, 4, UseBias: true));
        var names = model.Parameters.Views.Select(v => v.Name).ToArray();
        Assert.Equal(new[] { "encoder.weight", "w_in.weight", "w_rec.weight", "w_rec.bias", "w_out.weight", "w_out.bias" }, names);
        int offset = 0;
        foreach (var v in model.Parameters.Views)
        {
            Assert.Equal(offset, v.Offset);
            offset += v.Length;
        }
        Assert.Equal(offset, model.Parameters.Length);
        Assert.Equal(new[] { 5, 7 }, model.Parameters.GetView("w_out.weight").Shape);
    }

    [Fact]
    public void UnknownNameListsKnownNames()
    {
        var set = new VanillaRnn(new VanillaRnnOptions(1, 2, 3, 4)).Parameters;
        var ex = Assert.Throws<KeyNotFoundException>(() => set["w_hh"].Length);
        Assert.Contains("w_rec.weight", ex.Message);
    }

    [Fact]
    public void ClonesShareLayoutNotValues()
    {
        var model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(1, 3, 2, 2), 5);
        var copy = model.Parameters.Clone();
        var empty = model.Parameters.CloneEmpty();
        Assert.True(copy.HasSameLayout(model.Parameters) && empty.HasSameLayout(model.Parameters));
        Assert.Equal(model.Parameters.Values, copy.Values);
        Assert.All(empty.Values, v => Assert.Equal(0f, v));
        copy.Values[0] += 1f;
        Assert.NotEqual(copy.Values[0], model.Parameters.Values[0]);
    }

    [Fact]
    public void InitializationIsSeededAndBoundedByFanIn()
    {
        var options = new VanillaRnnOptions(2, 16, 3, 4, UseBias: true);
        var a = VanillaRnn.CreateInitialized(options, 42);
        var b = VanillaRnn.CreateInitialized(options, 42);
        var c = VanillaRnn.CreateInitialized(options, 43);
        Assert.Equal(a.Parameters.Values, b.Parameters.Values);
        Assert.NotEqual(a.Parameters.Values, c.Parameters.Values);
        Assert.All(a.Parameters["w_in.weight"].ToArray(), w => Assert.InRange(w, -1f / MathF.Sqrt(2), 1f / MathF.Sqrt(2)));
        Assert.All(a.Parameters["w_rec.weight"].ToArray(), w => Assert.InRange(w, -0.25f, 0.25f));
        Assert.Contains(a.Parameters["w_in.weight"].ToArray(), w => MathF.Abs(w) > 0.25f);
    }
}
