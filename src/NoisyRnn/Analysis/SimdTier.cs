using System.Runtime.Intrinsics;

namespace NoisyRnn.Analysis;

/// <summary>
/// The vector width an analysis kernel runs at. Chosen once from the hardware (Vector512 → Vector256 → scalar);
/// tests pass a lower tier to check each path against the scalar twin on the same machine.
/// </summary>
internal enum SimdTier
{
    Scalar = 0,
    Vector256 = 1,
    Vector512 = 2,
}

internal static class SimdTiers
{
    /// <summary>The widest tier this machine accelerates.</summary>
    public static SimdTier Best { get; } =
        Vector512.IsHardwareAccelerated ? SimdTier.Vector512
        : Vector256.IsHardwareAccelerated ? SimdTier.Vector256
        : SimdTier.Scalar;

    /// <summary>The requested tier, lowered to what the hardware accelerates (a wider one would run emulated).</summary>
    public static SimdTier Clamp(SimdTier requested) => requested < Best ? requested : Best;
}
