using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NoisyRnn.Kernels;

/// <summary>
/// One vector of floats of a fixed width, so that an element-wise kernel is written once as a generic method over
/// <typeparamref name="TSelf"/> and the JIT specialises it for each width (<see cref="V512"/>, <see cref="V256"/>,
/// <see cref="V128"/>; System.Runtime.Intrinsics' own ISimdVector is internal to the runtime). Every member maps to the
/// Vector512/256/128 method of the same name, so a generic kernel does the arithmetic of the hand-written copies it
/// replaces, bit for bit.
/// </summary>
internal unsafe interface ISimdVector<TSelf>
    where TSelf : struct, ISimdVector<TSelf>
{
    /// <summary>Floats per vector.</summary>
    static abstract int Count { get; }

    static abstract TSelf Zero { get; }

    static abstract TSelf Create(float value);

    static abstract TSelf Load(float* source);

    void Store(float* destination);

    static abstract TSelf operator +(TSelf left, TSelf right);

    static abstract TSelf operator -(TSelf left, TSelf right);

    static abstract TSelf operator *(TSelf left, TSelf right);

    static abstract TSelf operator /(TSelf left, TSelf right);

    /// <summary>left·right + addend with one rounding.</summary>
    static abstract TSelf FusedMultiplyAdd(TSelf left, TSelf right, TSelf addend);

    static abstract TSelf Max(TSelf left, TSelf right);

    static abstract TSelf Abs(TSelf value);

    static abstract TSelf Sqrt(TSelf value);

    /// <summary>Elements of <paramref name="value"/> whose magnitude is below <paramref name="limit"/> set to 0.</summary>
    static abstract TSelf ZeroWhereSmaller(TSelf value, TSelf limit);

    /// <summary>Elements of <paramref name="value"/> where <paramref name="mask"/> is &gt; 0, else 0.</summary>
    static abstract TSelf WherePositive(TSelf mask, TSelf value);

    /// <summary>Horizontal sum, in the order of Vector512/256/128.Sum.</summary>
    static abstract float Sum(TSelf value);
}

/// <summary>512-bit vectors (16 floats).</summary>
internal readonly unsafe struct V512(Vector512<float> value) : ISimdVector<V512>
{
    private readonly Vector512<float> _v = value;

    public static int Count => Vector512<float>.Count;
    public static V512 Zero => new(Vector512<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Create(float value) => new(Vector512.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Load(float* source) => new(Vector512.Load(source));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(float* destination) => _v.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 operator +(V512 left, V512 right) => new(left._v + right._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 operator -(V512 left, V512 right) => new(left._v - right._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 operator *(V512 left, V512 right) => new(left._v * right._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 operator /(V512 left, V512 right) => new(left._v / right._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 FusedMultiplyAdd(V512 left, V512 right, V512 addend) => new(Vector512.FusedMultiplyAdd(left._v, right._v, addend._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Max(V512 left, V512 right) => new(Vector512.Max(left._v, right._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Abs(V512 value) => new(Vector512.Abs(value._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Sqrt(V512 value) => new(Vector512.Sqrt(value._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 ZeroWhereSmaller(V512 value, V512 limit) =>
        new(Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(value._v), limit._v), Vector512<float>.Zero, value._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 WherePositive(V512 mask, V512 value) =>
        new(Vector512.ConditionalSelect(Vector512.GreaterThan(mask._v, Vector512<float>.Zero), value._v, Vector512<float>.Zero));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(V512 value) => Vector512.Sum(value._v);
}

/// <summary>256-bit vectors (8 floats).</summary>
internal readonly unsafe struct V256(Vector256<float> value) : ISimdVector<V256>
{
    private readonly Vector256<float> _v = value;

    public static int Count => Vector256<float>.Count;
    public static V256 Zero => new(Vector256<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Create(float value) => new(Vector256.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Load(float* source) => new(Vector256.Load(source));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(float* destination) => _v.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 operator +(V256 left, V256 right) => new(left._v + right._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 operator -(V256 left, V256 right) => new(left._v - right._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 operator *(V256 left, V256 right) => new(left._v * right._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 operator /(V256 left, V256 right) => new(left._v / right._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 FusedMultiplyAdd(V256 left, V256 right, V256 addend) => new(Vector256.FusedMultiplyAdd(left._v, right._v, addend._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Max(V256 left, V256 right) => new(Vector256.Max(left._v, right._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Abs(V256 value) => new(Vector256.Abs(value._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Sqrt(V256 value) => new(Vector256.Sqrt(value._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 ZeroWhereSmaller(V256 value, V256 limit) =>
        new(Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Abs(value._v), limit._v), Vector256<float>.Zero, value._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 WherePositive(V256 mask, V256 value) =>
        new(Vector256.ConditionalSelect(Vector256.GreaterThan(mask._v, Vector256<float>.Zero), value._v, Vector256<float>.Zero));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(V256 value) => Vector256.Sum(value._v);
}

/// <summary>128-bit vectors (4 floats).</summary>
internal readonly unsafe struct V128(Vector128<float> value) : ISimdVector<V128>
{
    private readonly Vector128<float> _v = value;

    public static int Count => Vector128<float>.Count;
    public static V128 Zero => new(Vector128<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Create(float value) => new(Vector128.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Load(float* source) => new(Vector128.Load(source));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(float* destination) => _v.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 operator +(V128 left, V128 right) => new(left._v + right._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 operator -(V128 left, V128 right) => new(left._v - right._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 operator *(V128 left, V128 right) => new(left._v * right._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 operator /(V128 left, V128 right) => new(left._v / right._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 FusedMultiplyAdd(V128 left, V128 right, V128 addend) => new(Vector128.FusedMultiplyAdd(left._v, right._v, addend._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Max(V128 left, V128 right) => new(Vector128.Max(left._v, right._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Abs(V128 value) => new(Vector128.Abs(value._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Sqrt(V128 value) => new(Vector128.Sqrt(value._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 ZeroWhereSmaller(V128 value, V128 limit) =>
        new(Vector128.ConditionalSelect(Vector128.LessThan(Vector128.Abs(value._v), limit._v), Vector128<float>.Zero, value._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 WherePositive(V128 mask, V128 value) =>
        new(Vector128.ConditionalSelect(Vector128.GreaterThan(mask._v, Vector128<float>.Zero), value._v, Vector128<float>.Zero));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(V128 value) => Vector128.Sum(value._v);
}

/// <summary>
/// An element-wise kernel written once: <see cref="Vectors{TVector}"/> processes whole vectors of one width from index
/// i on, <see cref="Scalar"/> the elements left. <see cref="Simd.Run{TKernel}"/> walks the ISA ladder with it.
/// </summary>
internal interface IElementwiseKernel
{
    /// <summary>Processes elements [i, i + k·Count) for the largest k that fits in [i, n); advances i.</summary>
    void Vectors<TVector>(ref int i, int n) where TVector : struct, ISimdVector<TVector>;

    /// <summary>Processes elements [i, n) one by one (the scalar twin's arithmetic).</summary>
    void Scalar(int i, int n);
}

/// <summary>The driver of the one ISA ladder (<see cref="Isa"/>): Vector512 → Vector256 → Vector128 → scalar.</summary>
internal static class Simd
{
    /// <summary>
    /// Runs <paramref name="kernel"/> over [0, <paramref name="n"/>): whole 512-bit vectors while they fit (tier Vector512),
    /// then 256-bit, then 128-bit vectors on what is left (each only when <paramref name="tier"/> allows it), then the
    /// scalar tail. The same walk as the hand-written Vector512/256/128 cascades it replaces.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TKernel>(ref TKernel kernel, int n, IsaTier tier)
        where TKernel : struct, IElementwiseKernel
    {
        int i = 0;
        if (tier >= IsaTier.Vector512) kernel.Vectors<V512>(ref i, n);
        if (tier >= IsaTier.Vector256) kernel.Vectors<V256>(ref i, n);
        if (tier >= IsaTier.Vector128) kernel.Vectors<V128>(ref i, n);
        kernel.Scalar(i, n);
    }
}
