using MathNet.Numerics.LinearAlgebra;

namespace DiffOpt.Tests.TestSupport;

/// <summary>Curvature of the generated quadratic term.</summary>
public enum Curvature
{
    /// <summary>Q = LLᵀ/n + 0.1·I.</summary>
    PositiveDefinite,
    /// <summary>Q = LLᵀ/n with L of shape (n, n/2): positive semidefinite, rank n/2.</summary>
    SingularPsd,
    /// <summary>Q = 0: a linear program.</summary>
    Zero,
}

/// <summary>A problem that is feasible by construction, with a strictly feasible point (for the Gz ≤ h rows) Z0.</summary>
internal sealed record FeasibleQp(QpInstance Problem, Vector<double> Z0);

/// <summary>A problem built around a known primal-dual solution (z*, λ*, ν*).</summary>
internal sealed record PlantedQp(QpInstance Problem, Vector<double> Z, Vector<double> Lambda, Vector<double> Nu);

/// <summary>
/// Seeded generator of QPs that are feasible (and bounded) by construction:
/// h = G z0 + positive slack, b = A z0, and, where Q is singular, p = −Qu − Gᵀλ0 − Aᵀν0 with λ0 ≥ 0 so that the
/// dual is feasible too (a feasible QP with a feasible dual has an optimal solution).
/// </summary>
internal sealed class ProblemGenerator(int seed)
{
    private readonly Random _random = new(seed);

    public double Uniform(double low, double high) => low + (high - low) * _random.NextDouble();

    /// <summary>A standard normal sample (Box–Muller).</summary>
    public double Normal()
    {
        double u1 = 1.0 - _random.NextDouble(), u2 = _random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    public Vector<double> NormalVector(int n) => Vector<double>.Build.Dense(n, _ => Normal());

    public Matrix<double> NormalMatrix(int rows, int columns) => Matrix<double>.Build.Dense(rows, columns, (_, _) => Normal());

    public Vector<double> UniformVector(int n, double low, double high) => Vector<double>.Build.Dense(n, _ => Uniform(low, high));

    public Matrix<double> Quadratic(int n, Curvature curvature) => curvature switch
    {
        Curvature.PositiveDefinite => Gram(NormalMatrix(n, n)) / n + 0.1 * Matrix<double>.Build.DenseIdentity(n),
        Curvature.SingularPsd => Gram(NormalMatrix(n, Math.Max(1, n / 2))) / n,
        Curvature.Zero => Matrix<double>.Build.Dense(n, n),
        _ => throw new ArgumentOutOfRangeException(nameof(curvature)),
    };

    /// <summary>A random problem with n variables, m inequalities and k equalities (see the class remarks).</summary>
    public FeasibleQp Feasible(int n, int m, int k, Curvature curvature = Curvature.PositiveDefinite)
    {
        var q = Quadratic(n, curvature);
        var g = NormalMatrix(m, n);
        var a = NormalMatrix(k, n);
        var z0 = NormalVector(n);
        var h = g * z0 + UniformVector(m, 0.1, 1.0);
        var b = a * z0;
        Vector<double> p;
        if (curvature == Curvature.PositiveDefinite)
        {
            p = NormalVector(n);
        }
        else
        {
            // λ0 ≥ 0 with about half of its entries zero.
            var lambda0 = Vector<double>.Build.Dense(m, _ => _random.NextDouble() < 0.5 ? 0.0 : Uniform(0.1, 1.0));
            p = -(q * NormalVector(n)) - g.TransposeThisAndMultiply(lambda0) - a.TransposeThisAndMultiply(NormalVector(k));
        }
        return new FeasibleQp(new QpInstance(q, p, g, h, a, b), z0);
    }

    /// <summary>
    /// A problem whose solution is (z*, λ*, ν*) by construction: rows 0..active−1 of G are active with
    /// λ ∈ [0.5, 1.5], the next <paramref name="weaklyActive"/> rows are active with λ = 0, the rest have slack in
    /// [0.5, 1.5]; p = −Qz* − Gᵀλ* − Aᵀν*. Nondegenerate (strict complementarity, LICQ for active + k ≤ n) when
    /// <paramref name="weaklyActive"/> = 0; z* is unique when Q is positive definite or active + k = n.
    /// </summary>
    public PlantedQp Planted(int n, int m, int active, int k, Curvature curvature = Curvature.PositiveDefinite, int weaklyActive = 0)
    {
        if (active + weaklyActive > m) throw new ArgumentException("More active rows than rows.");
        var q = Quadratic(n, curvature);
        var g = NormalMatrix(m, n);
        var a = NormalMatrix(k, n);
        var z = NormalVector(n);
        var lambda = Vector<double>.Build.Dense(m, i => i < active ? Uniform(0.5, 1.5) : 0.0);
        var slack = Vector<double>.Build.Dense(m, i => i < active + weaklyActive ? 0.0 : Uniform(0.5, 1.5));
        var nu = NormalVector(k);
        var h = g * z + slack;
        var b = a * z;
        var p = -(q * z) - g.TransposeThisAndMultiply(lambda) - a.TransposeThisAndMultiply(nu);
        return new PlantedQp(new QpInstance(q, p, g, h, a, b), z, lambda, nu);
    }

    /// <summary>
    /// A primal infeasible problem: <see cref="Feasible"/> plus the rows g·z ≤ g·z0 − 0.5 and −g·z ≤ −g·z0 − 0.5,
    /// which contradict each other (m + 2 inequality rows in all).
    /// </summary>
    public QpInstance PrimalInfeasible(int n, int m, int k, double linearScale = 1.0)
    {
        var (qp, z0) = Feasible(n, m, k);
        var g = NormalVector(n);
        double level = g * z0;
        return qp with
        {
            P = linearScale * qp.P,
            G = qp.G.Stack(Matrix<double>.Build.DenseOfRowVectors(g, -g)),
            H = Vector<double>.Build.DenseOfEnumerable(qp.H.Concat([level - 0.5, -level - 0.5])),
        };
    }

    /// <summary>
    /// A feasible problem whose objective is unbounded below along a ray d: Q = LLᵀ/n with the columns of L
    /// (n × n/2) orthogonal to d, every row of G with g·d ≤ 0, A d = 0 and pᵀd &lt; 0.
    /// </summary>
    public QpInstance Unbounded(int n, int m, int k)
    {
        var d = NormalVector(n);
        Vector<double> Orthogonal(Vector<double> v) => v - (v * d / (d * d)) * d;
        var l = NormalMatrix(n, Math.Max(1, n / 2));
        for (int j = 0; j < l.ColumnCount; j++) l.SetColumn(j, Orthogonal(l.Column(j)));
        var g = NormalMatrix(m, n);
        for (int i = 0; i < m; i++) g.SetRow(i, g.Row(i) - Math.Max(0, g.Row(i) * d / (d * d)) * d);
        var a = NormalMatrix(k, n);
        for (int i = 0; i < k; i++) a.SetRow(i, Orthogonal(a.Row(i)));
        var z0 = NormalVector(n);
        var p = -d + 0.3 * Orthogonal(NormalVector(n));
        return new QpInstance(Gram(l) / n, p, g, g * z0 + UniformVector(m, 0.1, 1.0), a, a * z0);
    }

    private static Matrix<double> Gram(Matrix<double> l) => l.TransposeAndMultiply(l);
}
