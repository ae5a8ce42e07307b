using System.Numerics;
using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Native;
using DiffOpt.Numerics;

namespace DiffOpt.Qp;

/// <summary>
/// The element-wise bookkeeping of one <see cref="ProximalInteriorPoint"/> iteration on the CPU, one item at a time:
/// the proximal infeasibility measures, the regularised residuals and the check for duals below their floor. Each
/// takes one pass over the vectors where the tensor form takes up to a dozen small tensor operations, each with its
/// own dispatch and allocation (at B = 1 the whole cost). Every entry goes through the same IEEE operations in the
/// same order as in the tensor form, and maxima are exact, so both forms give the same bits; <see cref="Applies"/>
/// says when the kernels serve.
/// </summary>
internal static class ProximalTermsKernel
{
    /// <summary>
    /// Whether the kernels take <paramref name="tensors"/>: CPU tensors of one float dtype (float32 or float64), each
    /// 1-D (B) or 2-D (B|1,·).
    /// </summary>
    public static bool Applies(params Tensor[] tensors)
    {
        if (!NativeLapack.Serves(tensors[0])) return false;
        var dtype = tensors[0].dtype;
        foreach (var t in tensors)
            if (t.dtype != dtype || t.device_type != DeviceType.CPU || t.dim() > 2) return false;
        return true;
    }

    /// <summary>
    /// PIQP's proximal infeasibility measures per item: primal max(δ‖E_A(λ − y)‖∞, δ_ineq‖E_G(ν − z)‖∞) and, when
    /// <paramref name="withDual"/>, dual ρ‖D(x − ξ)‖∞ (else null). Vectors are (B,·), the scalings (B|1,·), the
    /// regularisations (B).
    /// </summary>
    public static unsafe (Tensor Primal, Tensor? Dual) InfeasibilityMeasures(QpIterate it, Tensor xi, Tensor lambda, Tensor nu,
        RuizEquilibration scaling, Tensor rho, Tensor delta, Tensor deltaIneq, bool withDual)
    {
        var c = Contiguous(it.X, xi, it.Y, lambda, it.Z, nu, scaling.D, scaling.EA, scaling.EG, rho, delta, deltaIneq);
        long batch = c[0].size(0);
        var primal = empty(batch, c[0].dtype);
        var dual = withDual ? empty(batch, c[0].dtype) : null;
        if (c[0].dtype == ScalarType.Float64) Measures<double>(c, primal, dual, batch);
        else Measures<float>(c, primal, dual, batch);
        GC.KeepAlive(c);
        return (primal, dual);
    }

    private static unsafe void Measures<T>(Tensor[] c, Tensor primal, Tensor? dual, long batch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (x, xi, y, lambda, z, nu) = (Rows<T>.Of(c[0]), Rows<T>.Of(c[1]), Rows<T>.Of(c[2]), Rows<T>.Of(c[3]), Rows<T>.Of(c[4]), Rows<T>.Of(c[5]));
        var (d, eA, eG) = (Rows<T>.Of(c[6]), Rows<T>.Of(c[7]), Rows<T>.Of(c[8]));
        T* rho = NativeLapack.Data<T>(c[9]), delta = NativeLapack.Data<T>(c[10]), deltaIneq = NativeLapack.Data<T>(c[11]);
        T* primalOut = NativeLapack.Data<T>(primal), dualOut = dual is null ? null : NativeLapack.Data<T>(dual);
        for (long i = 0; i < batch; i++)
        {
            primalOut[i] = T.Max(delta[i] * ScaledDifferenceNorm(eA, lambda, y, i), deltaIneq[i] * ScaledDifferenceNorm(eG, nu, z, i));
            if (dualOut != null) dualOut[i] = rho[i] * ScaledDifferenceNorm(d, x, xi, i);
        }
    }

    /// <summary>‖scale ∘ (a − b)‖∞ of item <paramref name="item"/>, 0 for empty rows; NaN propagates as in amax.</summary>
    private static unsafe T ScaledDifferenceNorm<T>(Rows<T> scale, Rows<T> a, Rows<T> b, long item) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* s = scale.Item(item), u = a.Item(item), v = b.Item(item);
        T norm = T.Zero;
        for (int j = 0; j < a.Cols; j++) norm = T.Max(norm, T.Abs(s[j] * (u[j] - v[j])));
        return norm;
    }

    /// <summary>
    /// The regularised residuals rx − ρ(x − ξ), ry − δ(λ − y), rz − δ_ineq(ν − z) per item: residuals and iterate
    /// blocks (B,·), regularisations (B).
    /// </summary>
    public static (Tensor Rx, Tensor Ry, Tensor Rz) RegularizedResiduals(QpResiduals res, QpIterate it, Tensor xi, Tensor lambda, Tensor nu,
        Tensor rho, Tensor delta, Tensor deltaIneq)
    {
        var c = Contiguous(res.Rx, it.X, xi, res.Ry, lambda, it.Y, res.Rz, nu, it.Z, rho, delta, deltaIneq);
        var (rx, ry, rz) = (empty_like(c[0]), empty_like(c[3]), empty_like(c[6]));
        if (c[0].dtype == ScalarType.Float64) Regularize<double>(c, rx, ry, rz);
        else Regularize<float>(c, rx, ry, rz);
        GC.KeepAlive(c);
        return (rx, ry, rz);
    }

    private static unsafe void Regularize<T>(Tensor[] c, Tensor rx, Tensor ry, Tensor rz) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long batch = c[0].size(0);
        T* rho = NativeLapack.Data<T>(c[9]), delta = NativeLapack.Data<T>(c[10]), deltaIneq = NativeLapack.Data<T>(c[11]);
        Subtract(Rows<T>.Of(c[0]), Rows<T>.Of(c[1]), Rows<T>.Of(c[2]), rho, Rows<T>.Of(rx), batch);
        Subtract(Rows<T>.Of(c[3]), Rows<T>.Of(c[4]), Rows<T>.Of(c[5]), delta, Rows<T>.Of(ry), batch);
        Subtract(Rows<T>.Of(c[6]), Rows<T>.Of(c[7]), Rows<T>.Of(c[8]), deltaIneq, Rows<T>.Of(rz), batch);
    }

    /// <summary>result = r − w ∘ (a − b) per item, w (B) one weight per item.</summary>
    private static unsafe void Subtract<T>(Rows<T> r, Rows<T> a, Rows<T> b, T* w, Rows<T> result, long batch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (long i = 0; i < batch; i++)
        {
            T* ri = r.Item(i), ai = a.Item(i), bi = b.Item(i), output = result.Item(i);
            for (int j = 0; j < r.Cols; j++) output[j] = ri[j] - w[i] * (ai[j] - bi[j]);
        }
    }

    /// <summary>
    /// Whether some item where <paramref name="running"/> (B) holds may have a dual below its floor, z_j &lt; ε / max(1, s_j)
    /// (z, s (B,m)): false only when none has (with a margin of 2); the tensor form then finds and moves exactly those duals.
    /// </summary>
    public static unsafe bool AnyBelowFloor(Tensor z, Tensor s, Tensor running, double epsilon)
    {
        var c = Contiguous(z, s);
        var r = running.is_contiguous() ? running : running.contiguous();
        bool found = c[0].dtype == ScalarType.Float64 ? BelowFloor<double>(c, r, epsilon) : BelowFloor<float>(c, r, (float)epsilon);
        GC.KeepAlive(c); GC.KeepAlive(r);
        return found;
    }

    private static unsafe bool BelowFloor<T>(Tensor[] c, Tensor running, T epsilon) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Twice the floor: the tensor form's own rounding of ε / max(1, s) cannot hide an entry from this test.
        T margin = epsilon + epsilon;
        var (z, s) = (Rows<T>.Of(c[0]), Rows<T>.Of(c[1]));
        bool* run = NativeLapack.Data<bool>(running);
        long batch = c[0].size(0);
        for (long i = 0; i < batch; i++)
        {
            if (!run[i]) continue;
            T* zi = z.Item(i), si = s.Item(i);
            for (int j = 0; j < z.Cols; j++)
                if (zi[j] < margin / T.Max(si[j], T.One)) return true;
        }
        return false;
    }

    /// <summary>w = s/z + δ_ineq per item (s, z (B,m), δ_ineq (B)): the inequality block of the condensed KKT operator.</summary>
    public static Tensor InequalityWeights(Tensor s, Tensor z, Tensor deltaIneq)
    {
        var c = Contiguous(s, z, deltaIneq);
        var w = empty_like(c[0]);
        if (c[0].dtype == ScalarType.Float64) Weights<double>(c, w);
        else Weights<float>(c, w);
        GC.KeepAlive(c);
        return w;
    }

    private static unsafe void Weights<T>(Tensor[] c, Tensor w) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (s, z, result) = (Rows<T>.Of(c[0]), Rows<T>.Of(c[1]), Rows<T>.Of(w));
        T* delta = NativeLapack.Data<T>(c[2]);
        for (long i = 0, batch = c[0].size(0); i < batch; i++)
        {
            T* si = s.Item(i), zi = z.Item(i), wi = result.Item(i);
            for (int j = 0; j < s.Cols; j++) wi[j] = si[j] / zi[j] + delta[i];
        }
    }

    /// <summary>Whether every entry of the four blocks of <paramref name="it"/> is finite (the host form of <see cref="QpIterate.IsFinite"/> for all items).</summary>
    public static bool AllFinite(QpIterate it)
    {
        var c = Contiguous(it.X, it.Y, it.Z, it.S);
        bool finite = c.All(t => t.dtype == ScalarType.Float64 ? Finite<double>(t) : Finite<float>(t));
        GC.KeepAlive(c);
        return finite;
    }

    private static unsafe bool Finite<T>(Tensor t) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* data = NativeLapack.Data<T>(t);
        for (long i = 0, count = t.numel(); i < count; i++)
            if (!T.IsFinite(data[i])) return false;
        return true;
    }

    private static Tensor[] Contiguous(params Tensor[] tensors)
    {
        var result = new Tensor[tensors.Length];
        for (int i = 0; i < tensors.Length; i++) result[i] = Dense.Of(tensors[i]);
        return result;
    }

    /// <summary>A contiguous (B|1, cols) or (B) CPU tensor as rows (a shared row serves every item).</summary>
    private readonly unsafe struct Rows<T>(T* data, long items, int cols) where T : unmanaged
    {
        private readonly T* _data = data;
        private readonly long _items = items;
        public readonly int Cols = cols;

        public T* Item(long item) => _items == 1 ? _data : _data + item * Cols;

        public static Rows<T> Of(Tensor t) =>
            new(NativeLapack.Data<T>(t), t.size(0), t.dim() == 1 ? 1 : checked((int)t.size(1)));
    }
}
