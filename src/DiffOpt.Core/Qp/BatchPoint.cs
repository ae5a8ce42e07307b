namespace DiffOpt.Qp;

/// <summary>
/// A CPU kernel's view of a batch of primal-dual points: x (B,n), y (B,p), z (B,m), s (B,m), row-major and
/// contiguous (s null for a KKT vector, which has no slack block). The tensors must stay alive while it is used.
/// </summary>
internal readonly unsafe struct BatchPoint<T>(T* x, T* y, T* z, T* s) where T : unmanaged
{
    public readonly T* X = x, Y = y, Z = z, S = s;

    /// <summary>The view of a contiguous CPU iterate whose element type is <typeparamref name="T"/>.</summary>
    public static BatchPoint<T> Of(QpIterate it) =>
        new(NativeLapack.Data<T>(it.X), NativeLapack.Data<T>(it.Y), NativeLapack.Data<T>(it.Z), NativeLapack.Data<T>(it.S));

    /// <summary>The view of a contiguous CPU KKT vector (no slack block).</summary>
    public static BatchPoint<T> Of(KktVector v) =>
        new(NativeLapack.Data<T>(v.X), NativeLapack.Data<T>(v.Y), NativeLapack.Data<T>(v.Z), null);
}
