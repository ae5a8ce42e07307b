using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Native;
using DiffOpt.Numerics;

namespace DiffOpt.Qp;

/// <summary>
/// The residuals of iterative refinement on the CPU: r = rhs − K·v for the condensed KKT operator K of
/// <see cref="KktSolver.Multiply"/> and its infinity norm per item, in one pass over the item's data (the tensor form
/// takes about twenty small libtorch results per step). Each entry is rounded as the tensor form rounds it:
/// rx − ((Px + ρ·vx) + (Aᵀvy + Gᵀvz)), ry − (Av − δ·vy), rz − (Gv − w·vz), with the products of
/// <see cref="MatrixProductsKernel.Residuals{T}"/>, so both forms give the same bits.
/// </summary>
internal static class RefinementResiduals
{
    /// <summary>
    /// Whether the kernel serves the operator <paramref name="target"/> of <paramref name="qp"/> with right-hand side
    /// <paramref name="rhs"/>: per-item CPU matrices (<see cref="ScaledQp.UsesKernel"/>), ρ and δ of shape (B), w and
    /// the right-hand side contiguous (B,·) CPU tensors of the problem's dtype.
    /// </summary>
    public static bool Applies(ScaledQp qp, KktParameters target, KktVector rhs)
    {
        if (!qp.UsesKernel) return false;
        var dtype = qp.P.dtype;
        bool Fits(Tensor t, int rank, long columns) => t.dtype == dtype && t.device_type == DeviceType.CPU && t.dim() == rank
                                                       && t.size(0) == qp.BatchSize && (rank == 1 || t.size(1) == columns) && t.is_contiguous();
        return Fits(target.Rho, 1, 0) && Fits(target.Delta, 1, 0) && Fits(target.W, 2, qp.InequalityCount)
               && Fits(rhs.X, 2, qp.N) && Fits(rhs.Y, 2, qp.EqualityCount) && Fits(rhs.Z, 2, qp.InequalityCount);
    }

    /// <summary>Per item, the largest |entry| of <paramref name="v"/> over its three blocks (NaN propagates; 0 when empty).</summary>
    public static double[] InfNorms(KktVector v)
    {
        var (x, y, z) = (Dense.Of(v.X), Dense.Of(v.Y), Dense.Of(v.Z));
        var norms = new double[x.size(0)];
        if (x.dtype == ScalarType.Float64) Norms<double>(x, y, z, norms);
        else Norms<float>(x, y, z, norms);
        GC.KeepAlive(x); GC.KeepAlive(y); GC.KeepAlive(z);
        return norms;
    }

    /// <summary>
    /// r = <paramref name="rhs"/> − K(<paramref name="target"/>)·<paramref name="v"/> (three new tensors) and ‖r‖∞ per item
    /// (in the problem's precision, held as double). Requires <see cref="Applies"/>.
    /// </summary>
    public static (KktVector Residual, double[] Norms) Evaluate(ScaledQp qp, KktParameters target, KktVector rhs, KktVector v)
    {
        var point = new KktVector(Dense.Of(v.X), Dense.Of(v.Y), Dense.Of(v.Z));
        var residual = new KktVector(empty_like(rhs.X), empty_like(rhs.Y), empty_like(rhs.Z));
        var norms = new double[qp.BatchSize];
        if (qp.P.dtype == ScalarType.Float64) Fill<double>(qp, target, rhs, point, residual, norms);
        else Fill<float>(qp, target, rhs, point, residual, norms);
        GC.KeepAlive(point);
        return (residual, norms);
    }

    private static unsafe void Fill<T>(ScaledQp qp, KktParameters target, KktVector rhs, KktVector v, KktVector residual, double[] norms)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long batch = qp.BatchSize;
        int n = (int)qp.N, p = (int)qp.EqualityCount, m = (int)qp.InequalityCount;
        var force = System.Buffers.ArrayPool<T>.Shared.Rent(checked((int)(batch * n)));
        T* rx = NativeLapack.Data<T>(residual.X), ry = NativeLapack.Data<T>(residual.Y), rz = NativeLapack.Data<T>(residual.Z);
        T* vx = NativeLapack.Data<T>(v.X), vy = NativeLapack.Data<T>(v.Y), vz = NativeLapack.Data<T>(v.Z);
        T* bx = NativeLapack.Data<T>(rhs.X), by = NativeLapack.Data<T>(rhs.Y), bz = NativeLapack.Data<T>(rhs.Z);
        var op = OperatorOf<T>(qp, target);
        try
        {
            fixed (T* f = force)
            {
                T* forces = f;
                BatchParallel.ForEachItem(batch, i => norms[i] = double.CreateTruncating(OfItem(op, i,
                    new ItemVector<T>(vx + i * n, vy + i * p, vz + i * m), new ItemVector<T>(bx + i * n, by + i * p, bz + i * m),
                    new ItemVector<T>(rx + i * n, ry + i * p, rz + i * m), forces + i * n)));
            }
        }
        finally
        {
            System.Buffers.ArrayPool<T>.Shared.Return(force);
        }
        GC.KeepAlive(qp); GC.KeepAlive(target); GC.KeepAlive(rhs); GC.KeepAlive(v); GC.KeepAlive(residual);
    }

    /// <summary>The kernel's view of the operator <paramref name="target"/> of <paramref name="qp"/> (both must stay alive while it is used; see <see cref="Applies"/>).</summary>
    internal static unsafe Operator<T> OperatorOf<T>(ScaledQp qp, KktParameters target) where T : unmanaged =>
        new(BatchMatrices<T>.Of(qp.P), BatchMatrices<T>.Of(qp.A), BatchMatrices<T>.Of(qp.G),
            NativeLapack.Data<T>(target.Rho), NativeLapack.Data<T>(target.Delta), NativeLapack.Data<T>(target.W));

    /// <summary>The operator K of <see cref="KktSolver.Multiply"/> for a batch: P, A, G (B|1,·,n), ρ (B), δ (B), w (B,m).</summary>
    internal readonly unsafe struct Operator<T>(BatchMatrices<T> p, BatchMatrices<T> a, BatchMatrices<T> g, T* rho, T* delta, T* w) where T : unmanaged
    {
        public readonly BatchMatrices<T> P = p, A = a, G = g;
        public readonly T* Rho = rho, Delta = delta, W = w;
    }

    /// <summary>
    /// r = b − K·v for batch item <paramref name="item"/> (the vectors point at that item's blocks) and ‖r‖∞; <paramref name="force"/>
    /// holds n values of work space. The products are written to r's storage, then each entry is replaced by b − (K·v) in place.
    /// </summary>
    internal static unsafe T OfItem<T>(Operator<T> op, long item, ItemVector<T> v, ItemVector<T> b, ItemVector<T> r, T* force)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = op.P.Cols, p = op.A.Rows, m = op.G.Rows;
        MatrixProductsKernel.ResidualsOfItem(op.P, op.A, op.G, item, v.X, v.Y, v.Z, r.X, r.Y, r.Z, force);
        T rho = op.Rho[item], delta = op.Delta[item], max = T.Zero;
        T* w = op.W + item * m;
        // The entries in vector lanes where they fit (each rounded as written), their maxima there unless one is NaN.
        var lanes = new LaneMaximum<T>();
        int x = 0, y = 0, z = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            int width = Vector256<T>.Count;
            var (rhoLanes, deltaLanes) = (Vector256.Create(rho), Vector256.Create(delta));
            for (; x + width <= n; x += width)
                lanes.Store(Vector256.Load(b.X + x) - ((Vector256.Load(r.X + x) + rhoLanes * Vector256.Load(v.X + x)) + Vector256.Load(force + x)), r.X + x);
            for (; y + width <= p; y += width)
                lanes.Store(Vector256.Load(b.Y + y) - (Vector256.Load(r.Y + y) - deltaLanes * Vector256.Load(v.Y + y)), r.Y + y);
            for (; z + width <= m; z += width)
                lanes.Store(Vector256.Load(b.Z + z) - (Vector256.Load(r.Z + z) - Vector256.Load(w + z) * Vector256.Load(v.Z + z)), r.Z + z);
        }
        for (int k = x; k < n; k++) Track(ref max, r.X[k] = b.X[k] - ((r.X[k] + rho * v.X[k]) + force[k]));
        for (int k = y; k < p; k++) Track(ref max, r.Y[k] = b.Y[k] - (r.Y[k] - delta * v.Y[k]));
        for (int k = z; k < m; k++) Track(ref max, r.Z[k] = b.Z[k] - (r.Z[k] - w[k] * v.Z[k]));
        if (!lanes.SawNaN && !T.IsNaN(max)) return T.Max(max, lanes.Maximum);
        // A NaN: the entries are read again in order, so that the norm is the NaN the in-order pass meets first.
        max = T.Zero;
        for (int k = 0; k < n; k++) Track(ref max, r.X[k]);
        for (int k = 0; k < p; k++) Track(ref max, r.Y[k]);
        for (int k = 0; k < m; k++) Track(ref max, r.Z[k]);
        return max;
    }

    /// <summary>The largest |entry| over the vectors stored through it (from 0), and whether one of them held a NaN.</summary>
    private struct LaneMaximum<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        private Vector256<T> _maximum = Vector256<T>.Zero, _nan = Vector256<T>.Zero;

        /// <summary>Stores <paramref name="entries"/> at <paramref name="destination"/> and takes their magnitudes in.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public unsafe void Store(Vector256<T> entries, T* destination)
        {
            Vector256.Store(entries, destination);
            var magnitude = Vector256.Abs(entries);
            _nan |= ~Vector256.Equals(magnitude, magnitude);
            // Without NaN the native maximum is the maximum.
            _maximum = Vector256.MaxNative(_maximum, magnitude);
        }

        /// <summary>Whether a stored entry was NaN.</summary>
        public readonly bool SawNaN => Vector256.ExtractMostSignificantBits(_nan) != 0;

        /// <summary>The largest magnitude stored (0 when none was; meaningful without NaN).</summary>
        public readonly T Maximum
        {
            get
            {
                T largest = T.Zero;
                for (int lane = 0; lane < Vector256<T>.Count; lane++) largest = T.Max(largest, _maximum[lane]);
                return largest;
            }
        }
    }

    private static unsafe void Norms<T>(Tensor x, Tensor y, Tensor z, double[] norms) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long batch = norms.Length;
        foreach (var block in new[] { x, y, z })
        {
            long cols = block.size(1);
            if (cols == 0) continue;
            T* data = NativeLapack.Data<T>(block);
            for (long i = 0; i < batch; i++)
            {
                T max = T.CreateTruncating(norms[i]);
                for (T* entry = data + i * cols, end = entry + cols; entry < end; entry++) Track(ref max, *entry);
                norms[i] = double.CreateTruncating(max);
            }
        }
    }

    /// <summary>max ← max(max, |value|), NaN sticking (as <c>amax</c> of <c>abs</c> does).</summary>
    private static void Track<T>(ref T max, T value) where T : IFloatingPointIeee754<T>
    {
        T a = T.Abs(value);
        if (!T.IsNaN(max) && (T.IsNaN(a) || a > max)) max = a;
    }
}

/// <summary>One batch item's blocks (x, y, z) of a vector of the condensed KKT space, as pointers into the batch's storage.</summary>
internal readonly unsafe struct ItemVector<T>(T* x, T* y, T* z) where T : unmanaged
{
    public readonly T* X = x, Y = y, Z = z;
}
