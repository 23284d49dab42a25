using NoisyRnn.Experiments;

namespace PackageConsumer;

/// <summary>The paper's contrast from the package in about ten lines (docs/getting-started.md), on the seconds-long smoke preset.</summary>
public sealed class ExperimentFromPackageTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "noisyrnn-consumer-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    [Fact]
    public void TheExperimentRunsFromThePackageAndItsFolderIsTheRecord()
    {
        // The lines of docs/getting-started.md, with the smoke preset instead of quick.
        var config = ExperimentPresets.Find("smoke") with { Seed = 1 };
        var lines = new List<string>();
        var progress = new NoisyRnn.SynchronousProgress<ExperimentProgress>(p => { if (p.Message.Length > 0) lines.Add(p.Message); });
        ExperimentResult result = Experiment.Run(config, _dir, progress: progress);
        foreach (var run in result.Summary.Runs)
            Console.WriteLine($"{run.Name,-26} KL(quiescent || active) {run.KlQuiescentToActive:F3} nats, step {run.QuiescentStepDistance:F3} m");
        foreach (var claim in ExperimentClaims.Evaluate([result.Summary]))
            Console.WriteLine($"{claim.Verdict,-22} {claim.Claim}");

        Assert.Equal(["noise-trained/scaled", "noise-free/scaled"], result.Summary.Runs.Take(2).Select(r => r.Name));
        Assert.Equal(4, result.Runs.Count);
        Assert.Equal(1UL, ExperimentSummary.Load(Path.Combine(_dir, Experiment.SummaryFileName)).Seed);
        Assert.True(File.Exists(Path.Combine(_dir, "noise-trained", "model.safetensors")));
        // The smoke preset is too short to learn: the verdict says the predictions were not tested.
        Assert.All(ExperimentClaims.Evaluate([result.Summary]).Skip(1), c => Assert.Equal(ClaimOutcome.NotTested, c.Outcome));
        // The folder is the record: the same config finds it finished, another seed is refused.
        Assert.Equal(RunFolderState.Finished, Experiment.Inspect(_dir, config).State);
        Assert.Throws<ArgumentException>(() => Experiment.Run(config with { Seed = 2 }, _dir));
    }
}
