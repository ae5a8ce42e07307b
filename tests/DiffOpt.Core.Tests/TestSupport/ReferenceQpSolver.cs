using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace DiffOpt.Tests.TestSupport;

/// <summary>What <see cref="ReferenceQpSolver"/> found.</summary>
/// <param name="Unbounded">The objective decreases without bound along the ray <paramref name="X"/>.</param>
/// <param name="X">The minimiser (or the descent ray when unbounded).</param>
/// <param name="Lambda">Multipliers of Gz ≤ h (zero off the final working set).</param>
/// <param name="Nu">Multipliers of Az = b (zero on rows dropped as linearly dependent).</param>
/// <param name="UniqueX">The minimiser is provably unique (Q ≻ 0, or a nonsingular final KKT matrix with positive working multipliers).</param>
/// <param name="UniqueDuals">The multipliers are unique (LICQ: the active rows are exactly the independent working set).</param>
internal sealed record ReferenceSolution(bool Unbounded, Vector<double> X, Vector<double> Lambda, Vector<double> Nu,
    double Objective, bool UniqueX, bool UniqueDuals, int Iterations);

/// <summary>
/// An independent reference: the primal active-set method for convex QPs (Nocedal and Wright, "Numerical
/// Optimization", 2nd ed., Algorithm 16.3), started from a known feasible point, in double precision with dense
/// SVD solves of the working-set KKT system
/// <code>
///   [ Q  Cᵀ ] [d]   [−(Qz + p)]
///   [ C  0  ] [μ] = [    0    ]     C = independent equality rows and the working inequality rows.
/// </code>
/// Positive semidefinite Q is handled exactly: when this system is inconsistent, its residual is a null vector
/// (d, ·) of the KKT matrix with Qd = 0, Cd = 0 and (Qz + p)ᵀd &lt; 0, i.e. a descent ray, followed to the first
/// blocking constraint (or reported unbounded). Working rows stay linearly independent (a blocking row has
/// G_i d &gt; 0 while every working row has C d = 0), so multipliers are well defined. The final point is
/// polished by solving the working-set KKT system for (z, μ) directly. Ties between blocking rows go to the lowest
/// index, and after <see cref="BlandAfter"/> iterations so does the choice of the row to drop (Bland's rule), which
/// stops cycling on degenerate problems such as phase-1 programs.
/// </summary>
internal static class ReferenceQpSolver
{
    private const int MaxIterations = 5000;

    /// <summary>After this many iterations, drop the lowest-index negative multiplier (Bland's rule) so degenerate problems cannot cycle.</summary>
    private const int BlandAfter = 200;

    public static ReferenceSolution Solve(QpInstance qp, Vector<double> feasibleStart)
    {
        int n = qp.N;
        var z = feasibleStart.Clone();
        double dataScale = 1 + Math.Max(KktCertificate.Norm(qp.H), KktCertificate.Norm(qp.B));
        if (Violation(qp, z) > 1e-9 * (dataScale + KktCertificate.Norm(z)))
            throw new ArgumentException($"The start point is not feasible (violation {Violation(qp, z):G3}).", nameof(feasibleStart));

        var basis = new List<Vector<double>>();
        var equalities = Enumerable.Range(0, qp.K).Where(i => AddIfIndependent(basis, qp.A.Row(i))).ToList();
        var working = Enumerable.Range(0, qp.M)
            .Where(i => qp.H[i] - qp.G.Row(i) * z <= 1e-12 * dataScale && AddIfIndependent(basis, qp.G.Row(i)))
            .ToList();

        for (int iteration = 0; iteration < MaxIterations; iteration++)
        {
            var gradient = qp.Q * z + qp.P;
            var c = ConstraintRows(qp, equalities, working);
            var rhs = Stack(-gradient, Vector<double>.Build.Dense(c.RowCount));
            var (solution, residual, _) = LeastSquares(Kkt(qp.Q, c), rhs);
            var ray = residual.SubVector(0, n);
            bool isRay = KktCertificate.Norm(residual) > 1e-9 * (1 + KktCertificate.Norm(rhs));
            var direction = isRay ? ray / ray.L2Norm() : solution.SubVector(0, n);

            if (!isRay && KktCertificate.Norm(direction) <= 1e-11 * (1 + KktCertificate.Norm(z)))
            {
                var mu = solution.SubVector(n, c.RowCount);
                int worst = -1;
                double threshold = -1e-10 * (1 + KktCertificate.Norm(gradient)), worstValue = threshold;
                bool bland = iteration >= BlandAfter;
                for (int j = 0; j < working.Count; j++)
                {
                    double value = mu[equalities.Count + j];
                    bool better = bland ? value < threshold && (worst < 0 || working[j] < working[worst]) : value < worstValue;
                    if (better) { worstValue = value; worst = j; }
                }
                if (worst < 0) return Finish(qp, z, equalities, working, mu, iteration);
                working.RemoveAt(worst);
                continue;
            }

            double step = isRay ? double.PositiveInfinity : 1.0;
            int blocking = -1;
            for (int i = 0; i < qp.M; i++)
            {
                if (working.Contains(i)) continue;
                var row = qp.G.Row(i);
                double rate = row * direction;
                if (rate <= 1e-13 * row.L2Norm() * direction.L2Norm()) continue;
                double ratio = Math.Max(0.0, (qp.H[i] - row * z) / rate);
                if (ratio < step) { step = ratio; blocking = i; }
            }
            if (double.IsPositiveInfinity(step))
                return new ReferenceSolution(true, direction, Vector<double>.Build.Dense(qp.M), Vector<double>.Build.Dense(qp.K),
                    double.NegativeInfinity, false, false, iteration);
            z += step * direction;
            if (blocking >= 0) working.Add(blocking);
        }
        throw new InvalidOperationException($"The reference active-set method did not finish in {MaxIterations} iterations.");
    }

    /// <summary>Polishes (z, μ) on the final working set and reads off multipliers and uniqueness.</summary>
    private static ReferenceSolution Finish(QpInstance qp, Vector<double> z, List<int> equalities, List<int> working, Vector<double> mu, int iterations)
    {
        int n = qp.N;
        var c = ConstraintRows(qp, equalities, working);
        var rhs = Stack(-qp.P, Vector<double>.Build.DenseOfEnumerable(equalities.Select(i => qp.B[i]).Concat(working.Select(i => qp.H[i]))));
        var (polished, _, singular) = LeastSquares(Kkt(qp.Q, c), rhs);
        if (!singular)
        {
            z = polished.SubVector(0, n);
            mu = polished.SubVector(n, c.RowCount);
        }

        var lambda = Vector<double>.Build.Dense(qp.M);
        var nu = Vector<double>.Build.Dense(qp.K);
        for (int j = 0; j < equalities.Count; j++) nu[equalities[j]] = mu[j];
        for (int j = 0; j < working.Count; j++) lambda[working[j]] = Math.Max(0.0, mu[equalities.Count + j]);

        double scale = 1 + KktCertificate.Norm(z) + KktCertificate.Norm(qp.H);
        bool strictWorking = working.All(i => lambda[i] > 1e-9 * (1 + KktCertificate.Norm(lambda)));
        bool uniqueX = IsPositiveDefinite(qp.Q) || (!singular && strictWorking);
        var active = Enumerable.Range(0, qp.M).Where(i => qp.H[i] - qp.G.Row(i) * z <= 1e-9 * scale).ToHashSet();
        bool uniqueDuals = equalities.Count == qp.K && active.SetEquals(working);
        return new ReferenceSolution(false, z, lambda, nu, qp.Objective(z), uniqueX, uniqueDuals, iterations);
    }

    /// <summary>Largest violation of Az = b and Gz ≤ h.</summary>
    public static double Violation(QpInstance qp, Vector<double> z) =>
        Math.Max(KktCertificate.Norm(qp.A * z - qp.B), KktCertificate.Norm((qp.G * z - qp.H).PointwiseMaximum(0.0)));

    private static bool IsPositiveDefinite(Matrix<double> q)
    {
        if (q.RowCount == 0) return true;
        var eigenvalues = q.Evd(Symmetricity.Symmetric).EigenValues.Select(e => e.Real).ToArray();
        return eigenvalues.Min() > 1e-9 * Math.Max(1.0, eigenvalues.Max());
    }

    /// <summary>Gram–Schmidt (twice) against an orthonormal basis; adds the row and returns true if it is independent.</summary>
    private static bool AddIfIndependent(List<Vector<double>> basis, Vector<double> row)
    {
        var r = row.Clone();
        for (int pass = 0; pass < 2; pass++)
            foreach (var u in basis) r -= (r * u) * u;
        if (r.L2Norm() <= 1e-10 * Math.Max(row.L2Norm(), double.Epsilon)) return false;
        basis.Add(r / r.L2Norm());
        return true;
    }

    private static Matrix<double> ConstraintRows(QpInstance qp, List<int> equalities, List<int> working)
    {
        var rows = equalities.Select(qp.A.Row).Concat(working.Select(qp.G.Row)).ToList();
        return rows.Count == 0 ? Matrix<double>.Build.Dense(0, qp.N) : Matrix<double>.Build.DenseOfRowVectors(rows);
    }

    private static Matrix<double> Kkt(Matrix<double> q, Matrix<double> c)
    {
        int n = q.RowCount, r = c.RowCount;
        var k = Matrix<double>.Build.Dense(n + r, n + r);
        k.SetSubMatrix(0, 0, q);
        if (r > 0)
        {
            k.SetSubMatrix(0, n, c.Transpose());
            k.SetSubMatrix(n, 0, c);
        }
        return k;
    }

    private static Vector<double> Stack(Vector<double> top, Vector<double> bottom) =>
        Vector<double>.Build.DenseOfEnumerable(top.Concat(bottom));

    /// <summary>Minimum-norm least-squares solution by SVD, its residual, and whether the matrix is numerically singular.</summary>
    private static (Vector<double> Solution, Vector<double> Residual, bool Singular) LeastSquares(Matrix<double> k, Vector<double> rhs)
    {
        var svd = k.Svd(computeVectors: true);
        var s = svd.S;
        double cutoff = 1e-12 * Math.Max(s.Count > 0 ? s[0] : 0.0, double.Epsilon);
        var coefficients = svd.U.TransposeThisAndMultiply(rhs);
        for (int i = 0; i < coefficients.Count; i++)
            coefficients[i] = i < s.Count && s[i] > cutoff ? coefficients[i] / s[i] : 0.0;
        var solution = svd.VT.TransposeThisAndMultiply(coefficients);
        return (solution, rhs - k * solution, s.Any(v => v <= cutoff));
    }
}
