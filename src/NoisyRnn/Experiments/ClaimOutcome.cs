namespace NoisyRnn.Experiments;

/// <summary>Whether a prediction held over the seeds where it could be tested.</summary>
public enum ClaimOutcome
{
    /// <summary>It held in every seed where it was tested.</summary>
    Holds,
    /// <summary>It held in some tested seeds and not in others.</summary>
    Mixed,
    /// <summary>It held in no tested seed.</summary>
    DoesNotHold,
    /// <summary>It could not be tested: the measure is missing, or the networks did not learn the task.</summary>
    NotTested,
}
