using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NoisyRnn.Kernels;

/// <summary>
/// The B operand of a product packed once for many products (a recurrent weight used at every time step): the
/// column panels <see cref="Gemm"/> would otherwise repack on every call. Owns a pinned buffer that is reused by every
/// <see cref="Pack"/> call that fits, so packing per forward or backward pass allocates nothing after the first.
/// On the scalar tier the buffer holds B as a plain row-major [k, n] copy. Not thread-safe to repack while in use.
/// </summary>
internal sealed unsafe class PackedMatrix
{
    private float[] _buffer = Array.Empty<float>();

    /// <summary>Shared (inner) dimension k: rows of B.</summary>
    public int Depth { get; private set; }

    /// <summary>Columns n of B (and of the product).</summary>
    public int Columns { get; private set; }

    /// <summary>The tier whose panel width the layout follows.</summary>
    public IsaTier Tier { get; private set; }

    /// <summary>Address of the packed data (the buffer is pinned).</summary>
    internal nint Pointer { get; private set; }

    /// <summary>The packed data; on the scalar tier, B as row-major [k, n].</summary>
    internal ReadOnlySpan<float> Data => _buffer.AsSpan(0, Length(Tier, Depth, Columns));

    private static int Length(IsaTier tier, int depth, int columns)
    {
        if (tier == IsaTier.Scalar) return depth * columns;
        int paddedN = Gemm.PaddedColumns(columns, tier);
        return checked(((depth + Gemm.DepthBlock - 1) / Gemm.DepthBlock * Gemm.DepthBlock) * paddedN);
    }

    /// <summary>Packs B(p, j) = b[p·n + j], B = <paramref name="b"/> as row-major [k, n] (C (+)= A·B).</summary>
    public void Pack(ReadOnlySpan<float> b, int k, int n, IsaTier tier) => PackStrided(b, k, n, n, 1, tier);

    /// <summary>Packs B(p, j) = b[j·k + p]: <paramref name="b"/> is row-major [n, k], the product is C (+)= A·bᵀ.</summary>
    public void PackTransposed(ReadOnlySpan<float> b, int k, int n, IsaTier tier) => PackStrided(b, k, n, 1, k, tier);

    private void PackStrided(ReadOnlySpan<float> b, int k, int n, int rowStride, int columnStride, IsaTier tier)
    {
        Guard.NonNegative(k);
        Guard.NonNegative(n);
        Guard.Length(b.Length, (long)k * n, nameof(b), "[k, n] or [n, k]");
        if (tier != IsaTier.Scalar && !Isa.IsSupported(tier)) throw new PlatformNotSupportedException($"{tier} is not accelerated on this machine.");
        int length = Length(tier, k, n);
        if (_buffer.Length < length) _buffer = GC.AllocateUninitializedArray<float>(length, pinned: true);
        Depth = k;
        Columns = n;
        Tier = tier;
        Pointer = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_buffer));
        if (length == 0) return;
        fixed (float* pb = b)
        {
            if (tier == IsaTier.Scalar)
            {
                for (int p = 0; p < k; p++)
                for (int j = 0; j < n; j++) _buffer[p * n + j] = pb[(nint)p * rowStride + (nint)j * columnStride];
                return;
            }
            int width = Gemm.PanelWidth(tier);
            Gemm.PackB(pb, rowStride, columnStride, n, 0, k, 0, (n + width - 1) / width, width, (float*)Pointer);
        }
    }
}
