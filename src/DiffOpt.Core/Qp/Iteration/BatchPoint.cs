using DiffOpt.Numerics;
using DiffOpt.Native;
namespace DiffOpt.Qp;

/// <summary>
/// A CPU kernel's view of a batch of primal-dual points: x (B,n), y (B,p), z (B,m), s (B,m), row-major and
/// contiguous (s null for a KKT vector, which has no slack block). The tensors must stay alive while it is used.
/// </summary>
internal readonly unsafe struct BatchPoint<T>(T* x, T* y, T* z, T* s) where T : unmanaged
{
    public readonly T* X = x, Y = y, Z = z, S = s;

    /// <summary>The view of a contiguous CPU iterate whose element type is <typeparamref name="T"/>.</summary>
    /// <exception cref="ArgumentException">A block is not a contiguous (B, ·) CPU tensor of <typeparamref name="T"/>, or the blocks' batch sizes or z and s differ.</exception>
    public static BatchPoint<T> Of(QpIterate it)
    {
        CheckBlocks(it.X, it.Y, it.Z);
        if (it.S.dim() != 2 || it.S.size(0) != it.Z.size(0) || it.S.size(1) != it.Z.size(1))
            throw new ArgumentException($"Slack block of shape {TensorText.Shape(it.S)} does not match z of shape {TensorText.Shape(it.Z)}.", nameof(it));
        return new(NativeLapack.Data<T>(it.X), NativeLapack.Data<T>(it.Y), NativeLapack.Data<T>(it.Z), NativeLapack.Data<T>(it.S));
    }

    /// <summary>The view of a contiguous CPU KKT vector (no slack block).</summary>
    /// <exception cref="ArgumentException">A block is not a contiguous (B, ·) CPU tensor of <typeparamref name="T"/>, or the blocks' batch sizes differ.</exception>
    public static BatchPoint<T> Of(KktVector v)
    {
        CheckBlocks(v.X, v.Y, v.Z);
        return new(NativeLapack.Data<T>(v.X), NativeLapack.Data<T>(v.Y), NativeLapack.Data<T>(v.Z), null);
    }

    private static void CheckBlocks(TorchSharp.torch.Tensor x, TorchSharp.torch.Tensor y, TorchSharp.torch.Tensor z)
    {
        if (x.dim() != 2 || y.dim() != 2 || z.dim() != 2 || y.size(0) != x.size(0) || z.size(0) != x.size(0))
            throw new ArgumentException(
                $"A batch-point view needs (B,n), (B,p), (B,m) blocks; got {TensorText.Shape(x)}, {TensorText.Shape(y)}, {TensorText.Shape(z)}.", nameof(x));
    }
}
