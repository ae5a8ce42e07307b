using DiffOpt.Cones;
using DiffOpt.Native;
using DiffOpt.Qp;
using static TorchSharp.torch;

namespace DiffOpt.Tests.TestSupport;

/// <summary>The solution (x, y, s) of a batch of cone programs, (B, n), (B, m), (B, m).</summary>
internal sealed record ReferenceConeSolution(Tensor X, Tensor Y, Tensor S);

/// <summary>
/// Independent solvers for the cone programs of <see cref="ConeProgramPoint"/>, to re-solve perturbed programs for
/// central differences of the solution map.
/// </summary>
internal static class ConeProgramReference
{
    /// <summary>
    /// Solves programs whose cones are only zero and nonnegative cones with the QP solver (tolerance 1e-12, no
    /// relative test): zero-cone rows become equalities, nonnegative rows inequalities Gx ≤ h, and y gathers the
    /// equality duals ν and the inequality duals λ back into row order (Lagrangian +λᵀ(Gx − h) + νᵀ(Ax − b), so the
    /// stationarity Px + c + Gᵀλ + Aᵀν = 0 is the cone program's Px + Aᵀy + c = 0 with the same signs).
    /// </summary>
    public static ReferenceConeSolution SolveWithQp(ConeProgramPoint point)
    {
        var equality = new List<long>();
        var inequality = new List<long>();
        long row = 0;
        foreach (var cone in point.Cones)
        {
            var target = cone switch
            {
                ZeroCone => equality,
                NonnegativeCone => inequality,
                _ => throw new ArgumentException($"The QP reference handles zero and nonnegative cones only, not {cone}."),
            };
            for (int i = 0; i < cone.Rows; i++) target.Add(row++);
        }
        long batch = point.Batch, n = point.Variables;
        var a = point.A.expand(batch, point.Rows, n);
        var p = point.P?.expand(batch, n, n) ?? zeros(batch, n, n, dtype: point.C.dtype);
        var eq = tensor(equality.ToArray());
        var ineq = tensor(inequality.ToArray());
        Tensor? Rows(Tensor t, Tensor index, List<long> rows) => rows.Count == 0 ? null : t.index_select(1, index);
        var solution = new QpSolver(FiniteDifferences.Tight).Solve(p, point.C,
            Rows(a, ineq, inequality), Rows(point.B, ineq, inequality), Rows(a, eq, equality), Rows(point.B, eq, equality));
        Assert.True(solution.AllSolved, "QP reference: " + string.Join(", ", solution.Status));
        var y = zeros_like(point.B);
        if (equality.Count > 0) y.index_copy_(1, eq, solution.EqualityDuals);
        if (inequality.Count > 0) y.index_copy_(1, ineq, solution.InequalityDuals);
        var s = point.B - a.matmul(solution.X.unsqueeze(2)).squeeze(2);
        return new ReferenceConeSolution(solution.X, y, s);
    }

    /// <summary>
    /// Solves programs with a square invertible A (m = n) and P ≻ 0, any cones: with x = A⁻¹(b − s) the program is
    /// minimize f(s) = −cᵀA⁻¹s + ½(s − b)ᵀH(s − b) over s ∈ K, H = A⁻ᵀPA⁻¹, whose gradient ∇f(s) = −A⁻ᵀ(c + Px) is y.
    /// Projected gradient s ← Π_K(s − ∇f(s)/λ_max(H)) (from <paramref name="start"/>) converges linearly to the
    /// fixed point s ∈ K, y ∈ K*, sᵀy = 0; it runs until no entry moves by more than 1e-15 relative, or by
    /// at most 1e-14 without shrinking (rounding noise) (asserted
    /// within <paramref name="maxIterations"/>). Uses the cone projection under test, checked elsewhere against
    /// independent formulas.
    /// </summary>
    public static ReferenceConeSolution SolveSquare(ConeProgramPoint point, Tensor start, int maxIterations = 20000)
    {
        Assert.Equal(point.Rows, point.Variables);
        Assert.NotNull(point.P);
        long batch = point.Batch, n = point.Variables;
        var cone = new CompositeCone(point.Cones);
        var inverse = linalg.inv(point.A.expand(batch, n, n));
        var p = point.P!.expand(batch, n, n);
        var h = inverse.transpose(1, 2).matmul(p).matmul(inverse);
        var step = linalg.eigvalsh(h).amax(1).Into(1.0).unsqueeze(1);
        var linear = -inverse.transpose(1, 2).matmul(point.C.unsqueeze(2)).squeeze(2);
        Tensor Gradient(Tensor s) => linear.Plus(h.matmul((s - point.B).unsqueeze(2)).squeeze(2));
        var current = start.clone();
        double previous = double.PositiveInfinity;
        for (int iteration = 0; ; iteration++)
        {
            // The projection is internal code: its temporaries are held by this scope (and freed with it).
            using var temporaries = NewDisposeScope();
            var next = cone.Project(current - step * Gradient(current));
            double change = ((next - current).abs().amax(1) / next.abs().amax(1).AtLeast(1L)).max().item<double>();
            current = next.MoveToOuterDisposeScope();
            if (change <= 1e-15 || (change <= 1e-14 && change >= previous)) break; // converged, or stalled at rounding
            previous = change;
            Assert.True(iteration < maxIterations, $"projected gradient did not converge: last change {change:E2}");
        }
        var x = inverse.matmul((point.B - current).unsqueeze(2)).squeeze(2);
        var y = -inverse.transpose(1, 2).matmul(p.matmul(x.unsqueeze(2)).squeeze(2).Plus(point.C).unsqueeze(2)).squeeze(2);
        return new ReferenceConeSolution(x, y, current);
    }
}
