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

    static abstract TSelf Min(TSelf left, TSelf right);

    /// <summary>e^x per element (the algorithm of Vector512/256/128.Exp, the same at every width).</summary>
    static abstract TSelf Exp(TSelf value);

    static abstract TSelf Abs(TSelf value);

    static abstract TSelf Sqrt(TSelf value);

    /// <summary>Elements of <paramref name="value"/> whose magnitude is below <paramref name="limit"/> set to 0.</summary>
    static abstract TSelf ZeroWhereSmaller(TSelf value, TSelf limit);

    /// <summary>Elements of <paramref name="value"/> where <paramref name="mask"/> is &gt; 0, else 0.</summary>
    static abstract TSelf WherePositive(TSelf mask, TSelf value);

    /// <summary>Horizontal sum, in the order of Vector512/256/128.Sum.</summary>
    static abstract float Sum(TSelf value);

    /// <summary>Smallest element (lanes combined with Math.Min; the vector part with Vector256.Min for 512-bit vectors).</summary>
    static abstract float MinAcross(TSelf value);
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Min(V512 left, V512 right) => new(Vector512.Min(left._v, right._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Exp(V512 value) => new(Vector512.Exp(value._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Abs(V512 value) => new(Vector512.Abs(value._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Sqrt(V512 value) => new(Vector512.Sqrt(value._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 ZeroWhereSmaller(V512 value, V512 limit) =>
        new(Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(value._v), limit._v), Vector512<float>.Zero, value._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 WherePositive(V512 mask, V512 value) =>
        new(Vector512.ConditionalSelect(Vector512.GreaterThan(mask._v, Vector512<float>.Zero), value._v, Vector512<float>.Zero));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(V512 value) => Vector512.Sum(value._v);
    public static float MinAcross(V512 value)
    {
        Vector256<float> m = Vector256.Min(value._v.GetLower(), value._v.GetUpper());
        float min = float.PositiveInfinity;
        for (int l = 0; l < Vector256<float>.Count; l++) min = Math.Min(min, m[l]);
        return min;
    }
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Min(V256 left, V256 right) => new(Vector256.Min(left._v, right._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Exp(V256 value) => new(Vector256.Exp(value._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Abs(V256 value) => new(Vector256.Abs(value._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Sqrt(V256 value) => new(Vector256.Sqrt(value._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 ZeroWhereSmaller(V256 value, V256 limit) =>
        new(Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Abs(value._v), limit._v), Vector256<float>.Zero, value._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 WherePositive(V256 mask, V256 value) =>
        new(Vector256.ConditionalSelect(Vector256.GreaterThan(mask._v, Vector256<float>.Zero), value._v, Vector256<float>.Zero));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(V256 value) => Vector256.Sum(value._v);
    public static float MinAcross(V256 value)
    {
        float min = float.PositiveInfinity;
        for (int l = 0; l < Vector256<float>.Count; l++) min = Math.Min(min, value._v[l]);
        return min;
    }
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Min(V128 left, V128 right) => new(Vector128.Min(left._v, right._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Exp(V128 value) => new(Vector128.Exp(value._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Abs(V128 value) => new(Vector128.Abs(value._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Sqrt(V128 value) => new(Vector128.Sqrt(value._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 ZeroWhereSmaller(V128 value, V128 limit) =>
        new(Vector128.ConditionalSelect(Vector128.LessThan(Vector128.Abs(value._v), limit._v), Vector128<float>.Zero, value._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 WherePositive(V128 mask, V128 value) =>
        new(Vector128.ConditionalSelect(Vector128.GreaterThan(mask._v, Vector128<float>.Zero), value._v, Vector128<float>.Zero));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(V128 value) => Vector128.Sum(value._v);
    public static float MinAcross(V128 value)
    {
        float min = float.PositiveInfinity;
        for (int l = 0; l < Vector128<float>.Count; l++) min = Math.Min(min, value._v[l]);
        return min;
    }
}

/// <summary>
/// One vector of doubles of a fixed width, for the float64 analysis kernels (KDE sums, PCA's Gram tiles) written once
/// as generic methods over <typeparamref name="TSelf"/> (<see cref="D512"/>, <see cref="D256"/>). Every member maps to
/// the Vector512/256 method of the same name. Tier ladder of these kernels: <see cref="D512"/> at Vector512,
/// <see cref="D256"/> at Vector256, the scalar twin below (they have no 128-bit tier).
/// </summary>
internal interface ISimdDoubleVector<TSelf>
    where TSelf : struct, ISimdDoubleVector<TSelf>
{
    /// <summary>Doubles per vector.</summary>
    static abstract int Count { get; }

    static abstract TSelf Zero { get; }

    static abstract TSelf Create(double value);

    static abstract TSelf Load(ref double source, nuint index);

    void Store(ref double destination, nuint index);

    static abstract TSelf operator +(TSelf left, TSelf right);

    static abstract TSelf operator -(TSelf left, TSelf right);

    /// <summary>left·right + addend with one rounding.</summary>
    static abstract TSelf FusedMultiplyAdd(TSelf left, TSelf right, TSelf addend);

    static abstract TSelf Min(TSelf left, TSelf right);

    static abstract TSelf Exp(TSelf value);

    /// <summary>Horizontal sum, in the order of Vector512/256.Sum.</summary>
    static abstract double Sum(TSelf value);

    /// <summary>Smallest element: the 256-bit halves combined with Vector256.Min, then its four lanes pairwise with Math.Min.</summary>
    static abstract double MinAcross(TSelf value);
}

/// <summary>512-bit vectors of doubles (8).</summary>
internal readonly struct D512(Vector512<double> value) : ISimdDoubleVector<D512>
{
    private readonly Vector512<double> _v = value;

    public static int Count => Vector512<double>.Count;
    public static D512 Zero => new(Vector512<double>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static D512 Create(double value) => new(Vector512.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static D512 Load(ref double source, nuint index) => new(Vector512.LoadUnsafe(ref source, index));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(ref double destination, nuint index) => _v.StoreUnsafe(ref destination, index);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static D512 operator +(D512 left, D512 right) => new(left._v + right._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static D512 operator -(D512 left, D512 right) => new(left._v - right._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static D512 FusedMultiplyAdd(D512 left, D512 right, D512 addend) => new(Vector512.FusedMultiplyAdd(left._v, right._v, addend._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static D512 Min(D512 left, D512 right) => new(Vector512.Min(left._v, right._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static D512 Exp(D512 value) => new(Vector512.Exp(value._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Sum(D512 value) => Vector512.Sum(value._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double MinAcross(D512 value) => D256.MinAcross(value._v.GetLower(), value._v.GetUpper());
}

/// <summary>256-bit vectors of doubles (4).</summary>
internal readonly struct D256(Vector256<double> value) : ISimdDoubleVector<D256>
{
    private readonly Vector256<double> _v = value;

    public static int Count => Vector256<double>.Count;
    public static D256 Zero => new(Vector256<double>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static D256 Create(double value) => new(Vector256.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static D256 Load(ref double source, nuint index) => new(Vector256.LoadUnsafe(ref source, index));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(ref double destination, nuint index) => _v.StoreUnsafe(ref destination, index);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static D256 operator +(D256 left, D256 right) => new(left._v + right._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static D256 operator -(D256 left, D256 right) => new(left._v - right._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static D256 FusedMultiplyAdd(D256 left, D256 right, D256 addend) => new(Vector256.FusedMultiplyAdd(left._v, right._v, addend._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static D256 Min(D256 left, D256 right) => new(Vector256.Min(left._v, right._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static D256 Exp(D256 value) => new(Vector256.Exp(value._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Sum(D256 value) => Vector256.Sum(value._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double MinAcross(D256 value) => MinAcross(value._v, value._v);

    /// <summary>min over the lanes of Vector256.Min(a, b), pairwise: min(min(m0, m1), min(m2, m3)).</summary>
    internal static double MinAcross(Vector256<double> a, Vector256<double> b)
    {
        var m = Vector256.Min(a, b);
        return Math.Min(Math.Min(m[0], m[1]), Math.Min(m[2], m[3]));
    }
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
