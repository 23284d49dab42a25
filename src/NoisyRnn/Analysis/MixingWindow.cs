namespace NoisyRnn.Analysis;

/// <summary>Which quiescent steps each point of <see cref="QuiescentMixing.KlOverTime"/> uses.</summary>
public enum MixingWindow
{
    /// <summary>Growing prefixes: steps [0, end) of every chain (the KL of a run stopped at that length).</summary>
    Prefix = 0,

    /// <summary>Disjoint windows: steps [previous end, end) (the KL of what the chains visit during that stretch).</summary>
    Window = 1,
}
