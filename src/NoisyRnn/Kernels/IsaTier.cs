using System.Runtime.Intrinsics;

namespace NoisyRnn.Kernels;

/// <summary>The SIMD instruction-set tier a kernel runs on (DESIGN.md, "One ISA ladder").</summary>
public enum IsaTier
{
    /// <summary>No SIMD: the scalar twins run (also the test oracle).</summary>
    Scalar = 0,

    /// <summary>128-bit vectors (4 floats): SSE / NEON.</summary>
    Vector128 = 1,

    /// <summary>256-bit vectors (8 floats): AVX2.</summary>
    Vector256 = 2,

    /// <summary>512-bit vectors (16 floats): AVX-512.</summary>
    Vector512 = 3,
}
