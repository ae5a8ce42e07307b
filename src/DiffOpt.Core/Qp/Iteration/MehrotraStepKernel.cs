using System.Numerics;
using System.Runtime.CompilerServices;
using DiffOpt.InteriorPoint;
using DiffOpt.Numerics;

namespace DiffOpt.Qp;

/// <summary>
/// The Mehrotra predictor-corrector step of <see cref="ProximalInteriorPoint"/> for the Schur form on the CPU, one
/// item at a time: the predictor solve, the step lengths, the centring σ = (affine complementarity / μm)³, the
/// corrector solve and the update, in one pass per item. The corrector solve then reads the item's factors from
/// cache, and the element-wise work between the solves costs no batched tensor operations (about ninety per
/// iteration in the tensor form, each with its own dispatch and allocation). The two solves share their stages that
/// do not read rz (<see cref="SchurSolveKernel.ForwardItem{T}"/>, <see cref="SchurSolveKernel.ProjectItem{T}"/>) and
/// the predictor skips the stage that forms dx and dy: 0.6x the multiply-adds of two full solves at n = m = 50, with
/// the same bits.
/// </summary>
internal static class MehrotraStepKernel
{
    /// <summary>
    /// Writes the next iterate of every item to <paramref name="next"/>, from the current one, the regularised
    /// residuals (rx, ry, rz as a <see cref="BatchPoint{T}"/> with no s), the complementarity means μ (B) and the
    /// fraction to the boundary τ. <paramref name="scratch"/> holds n + p + 5m values per item.
    /// </summary>
    public static unsafe void Step<T>(SchurSolveKernel.Operator<T> op, long batch, BatchPoint<T> current, BatchPoint<T> residuals,
        T* mu, T tau, BatchPoint<T> next, T* scratch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = op.HFactor.Cols, m = op.V.Rows, p = op.A.Rows;
        long perItem = n + p + 5L * m;
        BatchParallel.ForEachItem(batch, item => StepItem(op, item, n, m, p,
            Offset(current, item, n, m, p), Offset(residuals, item, n, m, p), mu[item], tau, Offset(next, item, n, m, p),
            scratch + item * perItem));
    }

    private static unsafe BatchPoint<T> Offset<T>(BatchPoint<T> point, long item, int n, int m, int p) where T : unmanaged =>
        new(point.X + item * n, point.Y + item * p, point.Z + item * m, point.S == null ? null : point.S + item * m);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void StepItem<T>(SchurSolveKernel.Operator<T> op, long item, int n, int m, int p,
        BatchPoint<T> it, BatchPoint<T> r, T mu, T tau, BatchPoint<T> next, T* scratch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* dx = scratch, dy = dx + n, dz = dy + p, ds = dz + m, rs = ds + m, rhsZ = rs + m, vt = rhsZ + m;
        T* s = it.S, z = it.Z;

        // The predictor and the corrector differ only in rz: both share t = L⁻¹(rx + Aᵀry/δ) (held in dx) and V t,
        // and the predictor needs only dz and ds, so dx and dy are formed once, for the corrector.
        SchurSolveKernel.ForwardItem(op, item, n, p, r.X, r.Y, dx);
        if (m > 0) SchurSolveKernel.ProjectItem(op, item, n, m, p, dx, vt, prefetchNext: true);

        // Predictor: complementarity right-hand side rs = −s∘z.
        for (int i = 0; i < m; i++) rs[i] = -s[i] * z[i];
        Multipliers(op, item, m, it, r, rs, rhsZ, vt, dz, ds);
        T alphaS = tau * StepToBoundary(s, ds, m), alphaZ = tau * StepToBoundary(z, dz, m);
        T affine = T.Zero;
        for (int i = 0; i < m; i++) affine += (s[i] + alphaS * ds[i]) * (z[i] + alphaZ * dz[i]);
        T sigma = T.Clamp(affine / (mu * T.CreateTruncating(m)), T.Zero, T.One);
        sigma = sigma * sigma * sigma;

        // Corrector: rs − ds∘dz + σμ.
        for (int i = 0; i < m; i++) rs[i] = rs[i] - ds[i] * dz[i] + sigma * mu;
        Multipliers(op, item, m, it, r, rs, rhsZ, vt, dz, ds);
        SchurSolveKernel.BackwardItem(op, item, n, m, p, r.Y, dz, dx, dy, prefetchNext: true);
        T alphaPrimal = tau * StepToBoundary(s, ds, m), alphaDual = tau * StepToBoundary(z, dz, m);

        for (int i = 0; i < n; i++) next.X[i] = it.X[i] + alphaPrimal * dx[i];
        for (int i = 0; i < p; i++) next.Y[i] = it.Y[i] + alphaDual * dy[i];
        for (int i = 0; i < m; i++)
        {
            next.Z[i] = z[i] + alphaDual * dz[i];
            next.S[i] = s[i] + alphaPrimal * ds[i];
        }
    }

    /// <summary>
    /// dz and ds of the Newton direction for the complementarity right-hand side rs (S dz + Z ds = rs): the condensed
    /// system with rz − rs/z in its last block, from its shared V t (<see cref="SchurSolveKernel.MultipliersItem{T}"/>),
    /// then ds = (rs − s∘dz)/z.
    /// </summary>
    private static unsafe void Multipliers<T>(SchurSolveKernel.Operator<T> op, long item, int m, BatchPoint<T> it, BatchPoint<T> r,
        T* rs, T* rhsZ, T* vt, T* dz, T* ds) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0) return;
        for (int i = 0; i < m; i++) rhsZ[i] = r.Z[i] - rs[i] / it.Z[i];
        SchurSolveKernel.MultipliersItem(op, item, m, vt, rhsZ, dz);
        for (int i = 0; i < m; i++) ds[i] = (rs[i] - it.S[i] * dz[i]) / it.Z[i];
    }

    /// <summary>The largest α ≤ 1 with v + α·d ≥ 0: the orthant's step to the boundary (<see cref="NonnegativeOrthant.StepToBoundary{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, T)"/>).</summary>
    private static unsafe T StepToBoundary<T>(T* v, T* d, int length) where T : unmanaged, IFloatingPointIeee754<T> =>
        NonnegativeOrthant.StepToBoundary(new ReadOnlySpan<T>(v, length), new ReadOnlySpan<T>(d, length), T.One);
}
