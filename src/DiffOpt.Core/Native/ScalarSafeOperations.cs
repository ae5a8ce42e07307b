using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Native;

/// <summary>
/// Tensor operations whose scalar operands stay alive for the whole native call.
/// </summary>
/// <remarks>
/// TorchSharp 0.107 turns every implicit scalar operand (the hidden <c>alpha = 1</c> of <c>a + b</c>, the <c>2</c> of
/// <c>2 * a</c>, the <c>0</c> of <c>clamp_min(0)</c>) into a temporary <see cref="Scalar"/> and hands only its native
/// handle to libtorch. Nothing references the temporary during the call, so a garbage collection triggered by another
/// thread can finalise it and free the native scalar while libtorch still reads it: libtorch then fails with
/// <c>Expected false to be true ... toDouble</c> or computes with garbage. The operations here pass either one of the
/// rooted constants below or a scalar held by a <c>using</c> declaration until the call has returned. DiffOpt's own
/// code uses them instead of the implicit forms; a test scans the compiled assemblies for the implicit forms. The
/// concepts guide ("TorchSharp's temporary scalars, and how DiffOpt avoids them") has the history.
/// </remarks>
public static class ScalarSafeOperations
{
    /// <summary>The integer scalar 0, rooted for the life of the process.</summary>
    public static readonly Scalar Zero = 0L.ToScalar();

    /// <summary>The integer scalar 1, rooted for the life of the process (valid as <c>alpha</c> for every dtype).</summary>
    public static readonly Scalar One = 1L.ToScalar();

    /// <summary>The integer scalar 2, rooted for the life of the process.</summary>
    public static readonly Scalar Two = 2L.ToScalar();

    /// <summary>The integer scalar −1, rooted for the life of the process.</summary>
    public static readonly Scalar MinusOne = (-1L).ToScalar();

    /// <summary>The floating-point scalar 0.5, rooted for the life of the process.</summary>
    public static readonly Scalar Half = 0.5.ToScalar();

    /// <summary><paramref name="left"/> + <paramref name="right"/> (broadcasting), as <c>left + right</c>.</summary>
    public static Tensor Plus(this Tensor left, Tensor right) => left.add(right, One);

    /// <summary>Adds <paramref name="addend"/> to <paramref name="target"/> in place and returns <paramref name="target"/>.</summary>
    public static Tensor PlusInPlace(this Tensor target, Tensor addend) => target.add_(addend, One);

    /// <summary><paramref name="left"/> + <paramref name="factor"/>·<paramref name="right"/> in one call (torch's <c>alpha</c>).</summary>
    public static Tensor PlusScaled(this Tensor left, Tensor right, double factor) => With(factor, alpha => left.add(right, alpha));

    /// <summary>Adds <paramref name="factor"/>·<paramref name="addend"/> to <paramref name="target"/> in place.</summary>
    public static Tensor PlusScaledInPlace(this Tensor target, Tensor addend, double factor) =>
        With(factor, alpha => target.add_(addend, alpha));

    /// <summary><paramref name="tensor"/> + <paramref name="value"/> elementwise.</summary>
    public static Tensor Plus(this Tensor tensor, double value) => With(value, s => tensor.add(s, One));

    /// <summary><paramref name="tensor"/> + <paramref name="value"/> elementwise; an integer tensor stays integer.</summary>
    public static Tensor Plus(this Tensor tensor, long value) => With(value, s => tensor.add(s, One));

    /// <summary><paramref name="tensor"/> − <paramref name="value"/> elementwise.</summary>
    public static Tensor Minus(this Tensor tensor, double value) => With(value, tensor.sub);

    /// <summary><paramref name="tensor"/> − <paramref name="value"/> elementwise; an integer tensor stays integer.</summary>
    public static Tensor Minus(this Tensor tensor, long value) => With(value, tensor.sub);

    /// <summary><paramref name="value"/> − <paramref name="tensor"/> elementwise.</summary>
    public static Tensor SubtractedFrom(this Tensor tensor, double value) => With(value, s => tensor.negative().add_(s, One));

    /// <summary><paramref name="value"/> − <paramref name="tensor"/> elementwise; an integer tensor stays integer.</summary>
    public static Tensor SubtractedFrom(this Tensor tensor, long value) => With(value, s => tensor.negative().add_(s, One));

    /// <summary><paramref name="factor"/>·<paramref name="tensor"/> elementwise.</summary>
    public static Tensor Times(this Tensor tensor, double factor) => With(factor, tensor.mul);

    /// <summary><paramref name="factor"/>·<paramref name="tensor"/> elementwise; an integer tensor stays integer.</summary>
    public static Tensor Times(this Tensor tensor, long factor) => With(factor, tensor.mul);

    /// <summary>Multiplies <paramref name="tensor"/> by <paramref name="factor"/> in place and returns it.</summary>
    public static Tensor TimesInPlace(this Tensor tensor, double factor) => With(factor, tensor.mul_);

    /// <summary><paramref name="tensor"/> / <paramref name="divisor"/> elementwise (true division).</summary>
    public static Tensor DividedBy(this Tensor tensor, double divisor) => With(divisor, s => tensor.div(s));

    /// <summary><paramref name="numerator"/> / <paramref name="tensor"/> elementwise.</summary>
    public static Tensor Into(this Tensor tensor, double numerator) => With(numerator, s => tensor.reciprocal().mul_(s));

    /// <summary><paramref name="tensor"/> raised to <paramref name="exponent"/> elementwise.</summary>
    public static Tensor Power(this Tensor tensor, double exponent) => With(exponent, tensor.pow);

    /// <summary>max(<paramref name="tensor"/>, <paramref name="floor"/>) elementwise.</summary>
    public static Tensor AtLeast(this Tensor tensor, double floor) => With(floor, tensor.clamp_min);

    /// <summary>max(<paramref name="tensor"/>, <paramref name="floor"/>) elementwise; an integer tensor stays integer.</summary>
    public static Tensor AtLeast(this Tensor tensor, long floor) => With(floor, tensor.clamp_min);

    /// <summary>min(<paramref name="tensor"/>, <paramref name="ceiling"/>) elementwise.</summary>
    public static Tensor AtMost(this Tensor tensor, double ceiling) => With(ceiling, tensor.clamp_max);

    /// <summary>min(<paramref name="tensor"/>, <paramref name="ceiling"/>) elementwise; an integer tensor stays integer.</summary>
    public static Tensor AtMost(this Tensor tensor, long ceiling) => With(ceiling, tensor.clamp_max);

    /// <summary><paramref name="tensor"/> clamped to [<paramref name="floor"/>, <paramref name="ceiling"/>] elementwise, as <c>clamp(floor, ceiling)</c>.</summary>
    public static Tensor Clamped(this Tensor tensor, double floor, double ceiling)
    {
        using var low = floor.ToScalar();
        using var high = ceiling.ToScalar();
        return tensor.clamp(low, high);
    }

    /// <summary>A copy of <paramref name="tensor"/> with <paramref name="value"/> where <paramref name="mask"/> is true.</summary>
    public static Tensor FilledWhere(this Tensor tensor, Tensor mask, double value) => With(value, s => tensor.masked_fill(mask, s));

    /// <summary>Fills <paramref name="tensor"/> with <paramref name="value"/> in place and returns it.</summary>
    public static Tensor FillInPlace(this Tensor tensor, double value) => With(value, tensor.fill_);

    /// <summary><paramref name="tensor"/> &gt; <paramref name="value"/> elementwise (a bool tensor).</summary>
    public static Tensor GreaterThan(this Tensor tensor, double value) => With(value, tensor.gt);

    /// <summary><paramref name="tensor"/> &gt; <paramref name="value"/> elementwise, with an integer scalar.</summary>
    public static Tensor GreaterThan(this Tensor tensor, long value) => With(value, tensor.gt);

    /// <summary><paramref name="tensor"/> ≥ <paramref name="value"/> elementwise (a bool tensor).</summary>
    public static Tensor GreaterOrEqual(this Tensor tensor, double value) => With(value, tensor.ge);

    /// <summary><paramref name="tensor"/> &lt; <paramref name="value"/> elementwise (a bool tensor).</summary>
    public static Tensor LessThan(this Tensor tensor, double value) => With(value, tensor.lt);

    /// <summary><paramref name="tensor"/> &lt; <paramref name="value"/> elementwise, with an integer scalar.</summary>
    public static Tensor LessThan(this Tensor tensor, long value) => With(value, tensor.lt);

    /// <summary><paramref name="tensor"/> ≤ <paramref name="value"/> elementwise (a bool tensor).</summary>
    public static Tensor LessOrEqual(this Tensor tensor, double value) => With(value, tensor.le);

    /// <summary><paramref name="tensor"/> == <paramref name="value"/> elementwise (a bool tensor).</summary>
    public static Tensor EqualTo(this Tensor tensor, double value) => With(value, tensor.eq);

    /// <summary><paramref name="tensor"/> == <paramref name="value"/> elementwise, with an integer scalar.</summary>
    public static Tensor EqualTo(this Tensor tensor, long value) => With(value, tensor.eq);

    /// <summary><paramref name="tensor"/> != <paramref name="value"/> elementwise (a bool tensor).</summary>
    public static Tensor NotEqualTo(this Tensor tensor, double value) => With(value, tensor.ne);

    /// <summary><paramref name="tensor"/> != <paramref name="value"/> elementwise, with an integer scalar.</summary>
    public static Tensor NotEqualTo(this Tensor tensor, long value) => With(value, tensor.ne);

    /// <summary>A tensor shaped like <paramref name="tensor"/> filled with <paramref name="value"/>, as <c>full_like</c>.</summary>
    public static Tensor FullLike(this Tensor tensor, double value) => With(value, s => full_like(tensor, s));

    /// <summary>As <see cref="FullLike(Tensor, double)"/> with an integer scalar (an integer tensor stays integer).</summary>
    public static Tensor FullLike(this Tensor tensor, long value) => With(value, s => full_like(tensor, s));

    /// <summary>0, 1, …, <paramref name="stop"/> − 1, as <c>torch.arange(stop)</c> (int64 unless <paramref name="dtype"/> says otherwise).</summary>
    public static Tensor Range(long stop, ScalarType? dtype = null, Device? device = null) =>
        With(stop, s => arange(Zero, s, One, dtype, device));

    /// <summary>
    /// softplus(<paramref name="tensor"/>) = log(1 + eˣ) elementwise with PyTorch's defaults (β = 1, threshold 20), as
    /// <c>nn.functional.softplus(x)</c>.
    /// </summary>
    /// <remarks>
    /// Every public softplus of TorchSharp 0.107 converts β and the threshold to temporary scalars; its private overload
    /// taking scalars is called here with rooted ones, so libtorch runs the same kernel with the same values. A
    /// TorchSharp that renames it fails on first use with <see cref="MissingMethodException"/>, never silently.
    /// </remarks>
    public static Tensor Softplus(this Tensor tensor) => SoftplusWithScalars(tensor, SoftplusBeta, SoftplusThreshold);

    private static readonly Scalar SoftplusBeta = 1.0.ToScalar();
    private static readonly Scalar SoftplusThreshold = 20.0.ToScalar();

    private static readonly Func<Tensor, Scalar, Scalar, Tensor> SoftplusWithScalars =
        (typeof(Tensor).GetMethod("softplus1", BindingFlags.Instance | BindingFlags.NonPublic, [typeof(Scalar), typeof(Scalar)])
            ?? throw new MissingMethodException(typeof(Tensor).FullName, "softplus1"))
        .CreateDelegate<Func<Tensor, Scalar, Scalar, Tensor>>();

    /// <summary>
    /// Runs <paramref name="operation"/> with <paramref name="value"/> as a scalar that is disposed only after the
    /// operation has returned (the point of this class: the scalar cannot be finalised during the native call).
    /// </summary>
    public static Tensor With(double value, Func<Scalar, Tensor> operation)
    {
        using var scalar = value.ToScalar();
        return operation(scalar);
    }

    /// <summary>As <see cref="With(double, Func{Scalar, Tensor})"/> with an integer scalar.</summary>
    public static Tensor With(long value, Func<Scalar, Tensor> operation)
    {
        using var scalar = value.ToScalar();
        return operation(scalar);
    }
}
