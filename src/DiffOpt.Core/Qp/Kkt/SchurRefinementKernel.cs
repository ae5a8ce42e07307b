using System.Numerics;
using System.Runtime.CompilerServices;
using DiffOpt.Numerics;

namespace DiffOpt.Qp;

/// <summary>
/// <see cref="KktSolver.SolveAccurately"/> for <see cref="InequalitySchurKktSolver"/> on the CPU, one item at a time: the
/// item's solves (<see cref="SchurSolveKernel"/>) and residuals (<see cref="RefinementResiduals"/>) follow each other
/// while its factors and data are in cache, where the batched form streams the whole batch's from memory once per
/// step. Each item takes the same steps, comparisons and roundings as in the batched form, so both give the same bits.
/// </summary>
internal static class SchurRefinementKernel
{
    /// <summary>Work space per item, in values, for n variables, p equalities and m inequalities.</summary>
    public static long ScratchPerItem(long n, long p, long m) => 4 * (n + p + m) + n;

    /// <summary>
    /// For every item: x = K⁻¹b refined against <paramref name="target"/> from the factorisation <paramref name="solver"/>
    /// under <paramref name="rule"/>, with residual limit <paramref name="limit"/>[item]. <paramref name="b"/> and <paramref name="x"/> point at
    /// the batch's first item (blocks (B,n), (B,p), (B,m)); the final residual norms go to <paramref name="norms"/>.
    /// </summary>
    public static unsafe void Solve<T>(SchurSolveKernel.Operator<T> solver, RefinementResiduals.Operator<T> target, long batch,
        ItemVector<T> b, ItemVector<T> x, double[] limit, RefinementRule rule, double[] norms, T* scratch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = target.P.Cols, p = target.A.Rows, m = target.G.Rows;
        long perItem = ScratchPerItem(n, p, m);
        BatchParallel.ForEachItem(batch, item =>
        {
            ItemVector<T> At(ItemVector<T> v) => new(v.X + item * n, v.Y + item * p, v.Z + item * m);
            norms[item] = SolveItem(solver, target, item, n, p, m, At(b), At(x), limit[item], rule, scratch + item * perItem);
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe double SolveItem<T>(SchurSolveKernel.Operator<T> solver, RefinementResiduals.Operator<T> target, long item,
        int n, int p, int m, ItemVector<T> b, ItemVector<T> x, double limit, RefinementRule rule, T* scratch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int size = n + p + m;
        ItemVector<T> Block(T* start) => new(start, start + n, start + n + p);
        // The correction d, the candidate x + d, the residual r of x and that of the candidate, each [x | y | z].
        T* d = scratch, candidate = d + size, residual = candidate + size, candidateResidual = residual + size, force = candidateResidual + size;
        var (dv, cv, rv, crv) = (Block(d), Block(candidate), Block(residual), Block(candidateResidual));

        SchurSolveKernel.SolveItem(solver, item, n, m, p, b.X, b.Y, b.Z, x.X, x.Y, x.Z);
        var state = rule.Start(double.CreateTruncating(RefinementResiduals.OfItem(target, item, x, b, rv, force)), limit);
        for (int step = 0; step < rule.MaxSteps && state.Active; step++)
        {
            // The first correction finds the item's factors in cache: it prefetches the next item's.
            SchurSolveKernel.SolveItem(solver, item, n, m, p, rv.X, rv.Y, rv.Z, dv.X, dv.Y, dv.Z, prefetchNext: step == 0);
            Add(x.X, dv.X, cv.X, n);
            Add(x.Y, dv.Y, cv.Y, p);
            Add(x.Z, dv.Z, cv.Z, m);
            if (state.Offer(double.CreateTruncating(RefinementResiduals.OfItem(target, item, cv, b, crv, force))))
            {
                Copy(cv, x, n, p, m);
                new Span<T>(candidateResidual, size).CopyTo(new Span<T>(residual, size));
            }
        }
        return state.Norm;
    }

    private static unsafe void Add<T>(T* a, T* b, T* sum, int length) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int k = 0; k < length; k++) sum[k] = a[k] + b[k];
    }

    private static unsafe void Copy<T>(ItemVector<T> from, ItemVector<T> to, int n, int p, int m) where T : unmanaged
    {
        new Span<T>(from.X, n).CopyTo(new Span<T>(to.X, n));
        new Span<T>(from.Y, p).CopyTo(new Span<T>(to.Y, p));
        new Span<T>(from.Z, m).CopyTo(new Span<T>(to.Z, m));
    }
}
