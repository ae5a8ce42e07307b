using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Native;
using DiffOpt.Numerics;

namespace DiffOpt.Qp;

/// <summary>
/// The data of a (scaled) batch of QPs in the solver's notation: ½xᵀPx + cᵀx, Ax = b, Gx ≤ h, with the
/// products the solver needs. The matrices P, A, G have batch dimension 1 when the whole batch shares them
/// (shared data and hence a shared scaling), B otherwise; c, b, h always have B rows. On the CPU, per-item
/// matrices are multiplied in <see cref="MatrixProductsKernel"/>; otherwise (shared matrices: one GEMM for the
/// batch; other devices) by batched tensor products.
/// </summary>
internal sealed class ScaledQp
{
    private readonly bool _usesKernel;

    public ScaledQp(Tensor p, Tensor c, Tensor a, Tensor b, Tensor g, Tensor h)
    {
        P = p; C = c; A = a; B = b; G = g; H = h;
        // The sizes are read once: each query of a tensor's shape crosses into native code.
        (BatchSize, N, EqualityCount, InequalityCount) = (c.size(0), c.size(1), b.size(1), h.size(1));
        _usesKernel = NativeLapack.Serves(p)
                      && new[] { p, a, g }.All(m => m.dtype == p.dtype && m.is_contiguous() && m.size(0) == BatchSize);
    }

    /// <summary>True when the per-item CPU kernels multiply this problem's matrices (CPU, per-item, contiguous).</summary>
    public bool UsesKernel => _usesKernel;

    public Tensor P { get; }
    public Tensor C { get; }
    public Tensor A { get; }
    public Tensor B { get; }
    public Tensor G { get; }
    public Tensor H { get; }

    public long BatchSize { get; }
    public long N { get; }
    public long EqualityCount { get; }
    public long InequalityCount { get; }

    /// <summary>Px (P is symmetric).</summary>
    public Tensor Px(Tensor x) => Multiply(P, x, transposed: false);
    /// <summary>Ax.</summary>
    public Tensor Ax(Tensor x) => Multiply(A, x, transposed: false);
    /// <summary>Aᵀy.</summary>
    public Tensor ATy(Tensor y) => Multiply(A, y, transposed: true);
    /// <summary>Gx.</summary>
    public Tensor Gx(Tensor x) => Multiply(G, x, transposed: false);
    /// <summary>Gᵀz.</summary>
    public Tensor GTz(Tensor z) => Multiply(G, z, transposed: true);

    /// <summary>Px, Ax, Gx and Aᵀy + Gᵀz: the products of an iterate's residuals, each matrix read once on the CPU.</summary>
    public (Tensor Px, Tensor Ax, Tensor Gx, Tensor ConstraintForce) ResidualProducts(Tensor x, Tensor y, Tensor z)
    {
        if (!KernelTakes(x) || !KernelTakes(y) || !KernelTakes(z)) return (Px(x), Ax(x), Gx(x), ATy(y).Plus(GTz(z)));
        var (xc, yc, zc) = (Dense.Of(x), Dense.Of(y), Dense.Of(z));
        var (px, ax, gx, force) = (empty_like(xc), empty_like(yc), empty_like(zc), empty_like(xc));
        unsafe
        {
            if (P.dtype == ScalarType.Float64)
                MatrixProductsKernel.Residuals(BatchMatrices<double>.Of(P), BatchMatrices<double>.Of(A), BatchMatrices<double>.Of(G), BatchSize,
                    NativeLapack.Data<double>(xc), NativeLapack.Data<double>(yc), NativeLapack.Data<double>(zc), NativeLapack.Data<double>(px), NativeLapack.Data<double>(ax), NativeLapack.Data<double>(gx), NativeLapack.Data<double>(force));
            else
                MatrixProductsKernel.Residuals(BatchMatrices<float>.Of(P), BatchMatrices<float>.Of(A), BatchMatrices<float>.Of(G), BatchSize,
                    NativeLapack.Data<float>(xc), NativeLapack.Data<float>(yc), NativeLapack.Data<float>(zc), NativeLapack.Data<float>(px), NativeLapack.Data<float>(ax), NativeLapack.Data<float>(gx), NativeLapack.Data<float>(force));
        }
        GC.KeepAlive(xc); GC.KeepAlive(yc); GC.KeepAlive(zc);
        return (px, ax, gx, force);
    }

    /// <summary>M·v or Mᵀ·v per item for one of P, A, G.</summary>
    private Tensor Multiply(Tensor matrix, Tensor v, bool transposed)
    {
        if (!KernelTakes(v)) return Batched.RowTimes(v, transposed ? matrix : matrix.transpose(-1, -2));
        var vc = Dense.Of(v);
        var result = empty(BatchSize, matrix.size(transposed ? 2 : 1), dtype: matrix.dtype);
        unsafe
        {
            if (matrix.dtype == ScalarType.Float64) Multiply(BatchMatrices<double>.Of(matrix), NativeLapack.Data<double>(vc), NativeLapack.Data<double>(result), transposed);
            else Multiply(BatchMatrices<float>.Of(matrix), NativeLapack.Data<float>(vc), NativeLapack.Data<float>(result), transposed);
        }
        GC.KeepAlive(vc);
        return result;
    }

    private unsafe void Multiply<T>(BatchMatrices<T> matrix, T* v, T* result, bool transposed) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        if (transposed) MatrixProductsKernel.MultiplyTransposed(matrix, BatchSize, v, result);
        else MatrixProductsKernel.Multiply(matrix, BatchSize, v, result);
    }

    /// <summary>Whether the CPU kernel multiplies <paramref name="v"/>: per-item CPU matrices and a (B,·) vector of their dtype.</summary>
    private bool KernelTakes(Tensor v) => _usesKernel && v.dim() == 2 && v.size(0) == BatchSize && v.dtype == P.dtype && v.device_type == DeviceType.CPU;

    /// <summary>The items at <paramref name="index"/> (a 1-D int64 tensor of batch positions).</summary>
    public ScaledQp Select(Tensor index) => new(
        Batched.SelectItems(P, index), C.index_select(0, index), Batched.SelectItems(A, index),
        B.index_select(0, index), Batched.SelectItems(G, index), H.index_select(0, index));

    /// <summary>Every tensor of the scaled data.</summary>
    public IEnumerable<Tensor> Tensors() => new[] { P, C, A, B, G, H };
}
