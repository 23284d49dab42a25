using System.Runtime.Intrinsics;

namespace NoisyRnn.Kernels;

/// <summary>
/// The tier every kernel uses, chosen once at start-up from the ladder Vector512 -&gt; Vector256 -&gt; Vector128 -&gt;
/// scalar. Set <c>DOTNET_EnableAVX512=0</c> (or <c>DOTNET_PreferredVectorBitWidth=256</c>) or
/// <c>DOTNET_EnableHWIntrinsic=0</c> before the process starts to force a lower tier.
/// </summary>
public static class Isa
{
    /// <summary>The tier chosen for this process; never changes after start-up.</summary>
    public static IsaTier Tier { get; } = Detect();

    /// <summary>Number of floats in one vector of <paramref name="tier"/> (1 for <see cref="IsaTier.Scalar"/>).</summary>
    /// <param name="tier">A tier.</param>
    /// <returns>1, 4, 8 or 16.</returns>
    public static int FloatsPerVector(IsaTier tier) => tier switch
    {
        IsaTier.Vector512 => 16,
        IsaTier.Vector256 => 8,
        IsaTier.Vector128 => 4,
        _ => 1,
    };

    /// <summary>Whether <paramref name="tier"/> can run on this machine (scalar always can).</summary>
    /// <param name="tier">A tier.</param>
    /// <returns>True when the hardware accelerates vectors of that width.</returns>
    public static bool IsSupported(IsaTier tier) => tier switch
    {
        IsaTier.Vector512 => Vector512.IsHardwareAccelerated,
        IsaTier.Vector256 => Vector256.IsHardwareAccelerated,
        IsaTier.Vector128 => Vector128.IsHardwareAccelerated,
        _ => true,
    };

    /// <summary>The requested tier lowered to <see cref="Tier"/> (a wider one would run emulated); tests pass lower tiers
    /// to check each vector path against the scalar one on the same machine.</summary>
    internal static IsaTier Clamp(IsaTier requested) => requested < Tier ? requested : Tier;

    private static IsaTier Detect()
    {
        if (Vector512.IsHardwareAccelerated) return IsaTier.Vector512;
        if (Vector256.IsHardwareAccelerated) return IsaTier.Vector256;
        if (Vector128.IsHardwareAccelerated) return IsaTier.Vector128;
        return IsaTier.Scalar;
    }
}
