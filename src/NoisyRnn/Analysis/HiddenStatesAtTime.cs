namespace NoisyRnn.Analysis;

/// <summary>The hidden-state comparison (<see cref="HiddenStateReactivation.Compare"/>) over one stretch of the quiescent chains.</summary>
/// <param name="StartState">First kept state used (0-based index into each chain's kept states).</param>
/// <param name="EndState">One past the last kept state used.</param>
/// <param name="Result">The comparison of those states with the active ones.</param>
public sealed record HiddenStatesAtTime(int StartState, int EndState, HiddenStateReactivationResult Result);
