namespace NoisyRnn.Noise;

/// <summary>How the recurrent noise of a quiescent (input-free) run is chosen (THEORY.md, "Quiescence is Langevin sampling").</summary>
public enum QuiescentNoiseMode
{
    /// <summary>sqrt(2) times the training noise: the Langevin chain then samples the waking distribution p. The default.</summary>
    Scaled = 0,

    /// <summary>The training noise itself: the chain samples p^2 (sharpened toward the most visited states).</summary>
    Same = 1,

    /// <summary>A fixed per-step std, independent of training (for comparing networks under the same noise).</summary>
    Absolute = 2,
}
