namespace NoisyRnn.Analysis;

/// <summary>The denoising gain at one perturbation size (see <see cref="DenoisingGain.Measure"/>).</summary>
/// <param name="Scale">Per-unit std of the isotropic perturbation e ~ N(0, scale² I), in hidden-state units (compare with the
/// per-step training noise std).</param>
/// <param name="Total">Fraction of the whole perturbation e removed in one autonomous step, −⟨δ, e⟩ / |e|².</param>
/// <param name="OnManifold">The same for the part of e inside the top-k active principal components, applied alone.</param>
/// <param name="OffManifold">The same for the part of e outside them (e minus its projection), applied alone.</param>
public sealed record DenoisingGainPoint(double Scale, MeanEstimate Total, MeanEstimate OnManifold, MeanEstimate OffManifold);
