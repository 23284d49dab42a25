using System.Text.Json.Serialization;

namespace NoisyRnn.Experiments;

/// <summary>The denoising gain at one perturbation size.</summary>
/// <param name="Scale">Perturbation std per unit.</param>
/// <param name="OffManifold">Off-manifold fraction removed per step.</param>
/// <param name="OnManifold">On-manifold fraction removed per step.</param>
/// <param name="Total">Whole-perturbation fraction removed per step.</param>
public sealed record DenoisingGainAtScale(
    [property: JsonPropertyName("scale")] double Scale,
    [property: JsonPropertyName("off_manifold")] double OffManifold,
    [property: JsonPropertyName("on_manifold")] double OnManifold,
    [property: JsonPropertyName("total")] double Total);
