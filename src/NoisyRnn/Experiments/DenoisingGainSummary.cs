using System.Text.Json.Serialization;
using NoisyRnn.Analysis;

namespace NoisyRnn.Experiments;

/// <summary>
/// Denoising measured where the theory puts it (<see cref="Analysis.DenoisingGain"/>): from held-out waking states perturbed
/// by e, the fraction of e one autonomous step removes, -&lt;δ, e&gt;/|e|², split into e's part inside the top active
/// principal components (on the manifold) and outside (off it), beside the leak alone (dt/tau), at the noise-trained
/// network's training noise std per unit (<see cref="Scale"/>) and at larger sizes.
/// </summary>
/// <param name="Scale">Perturbation std per unit of the headline values (the noise-trained network's training std).</param>
/// <param name="OffManifold">Fraction removed per step of the off-manifold part.</param>
/// <param name="OffManifoldStderr">Its standard error.</param>
/// <param name="OnManifold">Fraction removed per step of the on-manifold part.</param>
/// <param name="OnManifoldStderr">Its standard error.</param>
/// <param name="Total">Fraction removed of the whole perturbation.</param>
/// <param name="Leak">What the leak alone removes, dt/tau.</param>
/// <param name="Components">Principal components spanning the manifold.</param>
/// <param name="ByScale">Every perturbation size measured.</param>
public sealed record DenoisingGainSummary(
    [property: JsonPropertyName("scale")] double Scale,
    [property: JsonPropertyName("off_manifold")] double OffManifold,
    [property: JsonPropertyName("off_manifold_stderr")] double OffManifoldStderr,
    [property: JsonPropertyName("on_manifold")] double OnManifold,
    [property: JsonPropertyName("on_manifold_stderr")] double OnManifoldStderr,
    [property: JsonPropertyName("total")] double Total,
    [property: JsonPropertyName("leak")] double Leak,
    [property: JsonPropertyName("components")] int Components,
    [property: JsonPropertyName("by_scale")] IReadOnlyList<DenoisingGainAtScale> ByScale);
