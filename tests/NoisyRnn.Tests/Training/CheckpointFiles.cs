using NoisyRnn.Training;

namespace NoisyRnn.Tests.Training;

/// <summary>Test helpers for checkpoint files: editing the metadata of a trainer's checkpoint, and comparing two checkpoints
/// apart from the wall time they record.</summary>
internal static class CheckpointFiles
{
    /// <summary>Rewrites <paramref name="path"/> with the same weights, step and Adam state and the metadata
    /// <paramref name="edit"/> leaves (as a run of another process or an older library version would have written it).</summary>
    public static void EditMetadata(string path, Action<Dictionary<string, string>> edit)
    {
        var saved = Checkpoint.Load(path);
        var adam = new Adam(new AdamOptions(), saved.Network.Parameters.Length);
        saved.AdamFirstMoment!.CopyTo(adam.FirstMoment);
        saved.AdamSecondMoment!.CopyTo(adam.SecondMoment);
        adam.RestoreStepCount(saved.AdamStepCount);
        var metadata = saved.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value);
        edit(metadata);
        Checkpoint.Save(path, saved.Network, saved.Step, adam, metadata);
    }

    /// <summary>The cumulative training seconds a trainer's checkpoint records and the step they count from.</summary>
    public static (double Seconds, int FromStep) TrainingTime(string path)
    {
        var saved = Checkpoint.Load(path);
        var state = TrainerState.Read(saved.Metadata, saved.Step);
        return (state.TrainingSeconds, state.TimedFromStep);
    }

    /// <summary>Asserts that two checkpoints hold the same network, step, Adam state and metadata, apart from the training
    /// wall time each records (which differs between any two runs).</summary>
    public static void AssertSameButTheTime(string expected, string actual)
    {
        var a = Checkpoint.Load(expected);
        var b = Checkpoint.Load(actual);
        Assert.Equal((a.Network.Kind, a.Step, a.AdamStepCount), (b.Network.Kind, b.Step, b.AdamStepCount));
        Assert.Equal(a.Network.NetworkOptions, b.Network.NetworkOptions);
        Assert.Equal(a.Network.Parameters.Values, b.Network.Parameters.Values);
        Assert.Equal(a.AdamFirstMoment, b.AdamFirstMoment);
        Assert.Equal(a.AdamSecondMoment, b.AdamSecondMoment);
        static Dictionary<string, string> WithoutTime(CheckpointData d) =>
            d.Metadata.Where(kv => kv.Key != TrainerState.SecondsKey).ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal(WithoutTime(a), WithoutTime(b));
        Assert.Contains(TrainerState.SecondsKey, b.Metadata.Keys);
    }
}
