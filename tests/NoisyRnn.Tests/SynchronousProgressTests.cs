namespace NoisyRnn.Tests;

public class SynchronousProgressTests
{
    [Fact]
    public void ReportsOnTheCallingThreadInOrderBeforeReturning()
    {
        var seen = new List<(int Value, int Thread)>();
        IProgress<int> progress = new SynchronousProgress<int>(v => seen.Add((v, Environment.CurrentManagedThreadId)));
        for (int i = 0; i < 1000; i++)
        {
            progress.Report(i);
            Assert.Equal(i + 1, seen.Count); // handled before Report returned
        }
        Assert.Equal(Enumerable.Range(0, 1000), seen.Select(s => s.Value));
        Assert.All(seen, s => Assert.Equal(Environment.CurrentManagedThreadId, s.Thread));
    }

    [Fact]
    public void NullHandlerIsRefused() =>
        Assert.Equal("handler", Assert.Throws<ArgumentNullException>(() => new SynchronousProgress<int>(null!)).ParamName);
}
