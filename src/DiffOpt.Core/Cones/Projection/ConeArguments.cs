using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>Argument checks and small tensor helpers shared by the cone implementations.</summary>
internal static class ConeArguments
{
    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming <paramref name="parameterName"/>, its shape and dtype unless
    /// <paramref name="value"/> is a float32 or float64 tensor of shape (B, <paramref name="rows"/>).
    /// </summary>
    public static void CheckBatch(Tensor value, int rows, string parameterName, object cone)
    {
        ArgumentNullException.ThrowIfNull(value, parameterName);
        bool floating = value.dtype is ScalarType.Float64 or ScalarType.Float32;
        if (value.dim() != 2 || value.shape[1] != rows || !floating)
            throw new ArgumentException(
                $"{parameterName} must be a float32 or float64 tensor of shape (B, {rows}) for {cone}; " +
                $"got shape [{string.Join(", ", value.shape)}], dtype {value.dtype}.", parameterName);
    }

    /// <summary>Checks that a direction <paramref name="ds"/> has the same shape, dtype and device as <paramref name="s"/>.</summary>
    public static void CheckSameAs(Tensor s, Tensor ds, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(ds, parameterName);
        if (!s.shape.SequenceEqual(ds.shape) || s.dtype != ds.dtype || s.device_type != ds.device_type)
            throw new ArgumentException(
                $"{parameterName} must have the shape, dtype and device of s ([{string.Join(", ", s.shape)}], {s.dtype}, " +
                $"{s.device_type}); got [{string.Join(", ", ds.shape)}], {ds.dtype}, {ds.device_type}.", parameterName);
    }

    /// <summary>A (B,) tensor of +∞ with the dtype and device of <paramref name="like"/> (B = its first dimension).</summary>
    public static Tensor Unbounded(Tensor like) =>
        ScalarSafeOperations.With(double.PositiveInfinity, infinity => full(like.shape[0], infinity, dtype: like.dtype, device: like.device));
}
