using System.Numerics;
using System.Runtime.CompilerServices;
using DiffOpt.InteriorPoint;
using DiffOpt.LinearAlgebra;
using DiffOpt.Numerics;

namespace DiffOpt.Qp;

/// <summary>
/// The Mehrotra predictor-corrector step of <see cref="ProximalInteriorPoint"/> for the Schur form on the CPU, one
/// item at a time: the predictor solve, the step lengths, the centring σ = (affine complementarity / μm)³, the
/// corrector solve and the update, in one pass per item. The corrector solve then reads the item's factors from
/// cache, and the element-wise work between the solves costs no batched tensor operations (about ninety per
/// iteration in the tensor form, each with its own dispatch and allocation). The two solves share their stages that
/// do not read rz (t = L⁻¹(rx + Aᵀry/δ) and V t) and the predictor skips the stages that form dx and dy: 0.6x the
/// multiply-adds of two full solves at n = m = 50, with the same bits. Items go in pairs whose triangular solves
/// alternate step by step, so that each fills the other's waits on its chain of dependent steps.
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
        Lane<T> At(long item) => new(item, Offset(current, item, n, m, p), Offset(residuals, item, n, m, p), mu[item],
            Offset(next, item, n, m, p), scratch + item * perItem, n, m, p);
        // Items go in pairs, whose triangular solves alternate (CholeskySolveKernel's two-system forms), while two
        // items' matrices fit in PairBytes.
        long matrixBytes = ((long)n * n + (long)m * n + (long)m * m + (long)p * n) * Unsafe.SizeOf<T>();
        if (2 * matrixBytes > PairBytes)
        {
            BatchParallel.ForEachItem(batch, item => StepLanes(op, n, m, p, At(item), default, paired: false, tau));
            return;
        }
        BatchParallel.ForEachItem((batch + 1) / 2, pair =>
        {
            long first = 2 * pair;
            bool paired = first + 1 < batch;
            StepLanes(op, n, m, p, At(first), paired ? At(first + 1) : default, paired, tau);
        });
    }

    /// <summary>
    /// The most bytes of matrices (L, V, L_S, A) of two items for which items go in pairs. Pairs of larger items
    /// crowd the cache: in <c>qp-case</c> B = 128, n = m = 100, p = 20 (2 × 256 KB) the paired step took 1.06x and
    /// 1.13x the perf samples of the unpaired one, at n = m = 50, p = 10 (2 × 64 KB) 0.87x.
    /// </summary>
    private const long PairBytes = 256 * 1024;

    private static unsafe BatchPoint<T> Offset<T>(BatchPoint<T> point, long item, int n, int m, int p) where T : unmanaged =>
        new(point.X + item * n, point.Y + item * p, point.Z + item * m, point.S == null ? null : point.S + item * m);

    /// <summary>One item's data and scratch: dx, dy, dz, ds, rs, rz − rs/z and V t.</summary>
    private readonly unsafe struct Lane<T>(long item, BatchPoint<T> it, BatchPoint<T> r, T mu, BatchPoint<T> next, T* scratch,
        int n, int m, int p) where T : unmanaged
    {
        public readonly long Item = item;
        public readonly BatchPoint<T> It = it, R = r, Next = next;
        public readonly T Mu = mu;
        public readonly T* Dx = scratch, Dy = scratch + n, Dz = scratch + n + p, Ds = scratch + n + p + m,
            Rs = scratch + n + p + 2 * m, RhsZ = scratch + n + p + 3 * m, Vt = scratch + n + p + 4 * m;
    }

    /// <summary>
    /// The step of item <paramref name="a"/> and, when <paramref name="paired"/>, of item <paramref name="b"/>: the
    /// predictor and the corrector differ only in rz, so both share t = L⁻¹(rx + Aᵀry/δ) (held in dx) and V t, and
    /// the predictor needs only dz and ds: dx and dy are formed once, for the corrector.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void StepLanes<T>(SchurSolveKernel.Operator<T> op, int n, int m, int p, Lane<T> a, Lane<T> b, bool paired, T tau)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int ahead = paired ? 2 : 1;
        T* la = op.HFactor.Item(a.Item), lb = paired ? op.HFactor.Item(b.Item) : null;
        SchurSolveKernel.ForwardRightHandSide(op, a.Item, n, p, a.R.X, a.R.Y, a.Dx);
        if (paired)
        {
            SchurSolveKernel.ForwardRightHandSide(op, b.Item, n, p, b.R.X, b.R.Y, b.Dx);
            CholeskySolveKernel.ForwardInPlace(la, a.Dx, lb, b.Dx, n);
        }
        else CholeskySolveKernel.ForwardInPlace(la, n, a.Dx);

        T sigmaA = T.Zero, sigmaB = T.Zero;
        if (m > 0)
        {
            SchurSolveKernel.ProjectItem(op, a.Item, n, m, p, a.Dx, a.Vt, ahead);
            Predictor(a, m);
            if (paired)
            {
                SchurSolveKernel.ProjectItem(op, b.Item, n, m, p, b.Dx, b.Vt, ahead);
                Predictor(b, m);
            }
            SolveS(op, m, a, b, paired);
            Corrector(a, m, tau);
            if (paired) Corrector(b, m, tau);
            SolveS(op, m, a, b, paired);
            Slacks(a, m);
            SchurSolveKernel.SubtractProjection(op, a.Item, n, m, p, a.Dz, a.Dx, ahead);
            if (paired)
            {
                Slacks(b, m);
                SchurSolveKernel.SubtractProjection(op, b.Item, n, m, p, b.Dz, b.Dx, ahead);
            }
        }
        if (paired) CholeskySolveKernel.BackwardInPlace(la, a.Dx, lb, b.Dx, n);
        else CholeskySolveKernel.BackwardInPlace(la, n, a.Dx);
        Update(op, n, m, p, a, tau);
        if (paired) Update(op, n, m, p, b, tau);
    }

    /// <summary>dz = S⁻¹(V t − rz + rs/z) of both lanes, from V t − rz + rs/z in dz.</summary>
    private static unsafe void SolveS<T>(SchurSolveKernel.Operator<T> op, int m, Lane<T> a, Lane<T> b, bool paired)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (paired) CholeskySolveKernel.SolveInPlace(op.SFactor.Item(a.Item), a.Dz, op.SFactor.Item(b.Item), b.Dz, m);
        else CholeskySolveKernel.SolveInPlace(op.SFactor.Item(a.Item), m, a.Dz);
    }

    /// <summary>The predictor's complementarity right-hand side rs = −s∘z and its condensed dz right-hand side.</summary>
    private static unsafe void Predictor<T>(Lane<T> lane, int m) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* s = lane.It.S, z = lane.It.Z;
        for (int i = 0; i < m; i++) lane.Rs[i] = -s[i] * z[i];
        CondensedRightHandSide(lane, m);
    }

    /// <summary>
    /// From the predictor's dz: its ds, the centring σ = (affine complementarity / μm)³, and the corrector's
    /// right-hand side rs − ds∘dz + σμ.
    /// </summary>
    private static unsafe void Corrector<T>(Lane<T> lane, int m, T tau) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* s = lane.It.S, z = lane.It.Z, ds = lane.Ds, dz = lane.Dz, rs = lane.Rs;
        Slacks(lane, m);
        T alphaS = tau * StepToBoundary(s, ds, m), alphaZ = tau * StepToBoundary(z, dz, m);
        T affine = T.Zero;
        for (int i = 0; i < m; i++) affine += (s[i] + alphaS * ds[i]) * (z[i] + alphaZ * dz[i]);
        T sigma = T.Clamp(affine / (lane.Mu * T.CreateTruncating(m)), T.Zero, T.One);
        sigma = sigma * sigma * sigma;
        for (int i = 0; i < m; i++) rs[i] = rs[i] - ds[i] * dz[i] + sigma * lane.Mu;
        CondensedRightHandSide(lane, m);
    }

    /// <summary>
    /// The condensed system's last block for the complementarity right-hand side rs (S dz + Z ds = rs): rz − rs/z,
    /// and V t minus it in dz, the right-hand side of dz's solve with L_S (<see cref="SchurSolveKernel"/>).
    /// </summary>
    private static unsafe void CondensedRightHandSide<T>(Lane<T> lane, int m) where T : unmanaged, IFloatingPointIeee754<T>
    {
        StepArithmetic.CondensedRightHandSide(lane.R.Z, lane.Rs, lane.It.Z, lane.Vt, lane.RhsZ, lane.Dz, m);
    }

    /// <summary>ds = (rs − s∘dz)/z.</summary>
    private static unsafe void Slacks<T>(Lane<T> lane, int m) where T : unmanaged, IFloatingPointIeee754<T>
    {
        StepArithmetic.QuotientOfDifference(lane.Rs, lane.It.S, lane.Dz, lane.It.Z, lane.Ds, m);
    }

    /// <summary>dy from the corrector's dx, the step lengths and the next iterate.</summary>
    private static unsafe void Update<T>(SchurSolveKernel.Operator<T> op, int n, int m, int p, Lane<T> lane, T tau)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        SchurSolveKernel.EqualityMultipliers(op, lane.Item, n, p, lane.R.Y, lane.Dx, lane.Dy);
        BatchPoint<T> it = lane.It, next = lane.Next;
        T alphaPrimal = tau * StepToBoundary(it.S, lane.Ds, m), alphaDual = tau * StepToBoundary(it.Z, lane.Dz, m);
        StepArithmetic.Step(it.X, alphaPrimal, lane.Dx, next.X, n);
        StepArithmetic.Step(it.Y, alphaDual, lane.Dy, next.Y, p);
        StepArithmetic.Step(it.Z, alphaDual, lane.Dz, next.Z, m);
        StepArithmetic.Step(it.S, alphaPrimal, lane.Ds, next.S, m);
    }

    /// <summary>The largest α ≤ 1 with v + α·d ≥ 0: the orthant's step to the boundary (<see cref="NonnegativeOrthant.StepToBoundary{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, T)"/>).</summary>
    private static unsafe T StepToBoundary<T>(T* v, T* d, int length) where T : unmanaged, IFloatingPointIeee754<T> =>
        NonnegativeOrthant.StepToBoundary(new ReadOnlySpan<T>(v, length), new ReadOnlySpan<T>(d, length), T.One);
}
