using MathNet.Numerics.LinearAlgebra;

namespace DiffOpt.Tests.TestSupport;

/// <summary>Closed-form Euclidean projections used as analytic QP solutions.</summary>
internal static class Projections
{
    /// <summary>
    /// Projection of y onto the probability simplex {z ≥ 0, Σz = 1} by sorting (Held, Wolfe and Crowder 1974;
    /// Duchi et al. 2008): with u = sort(y) descending and ρ the largest j with u_j − (Σ_{i≤j} u_i − 1)/j &gt; 0,
    /// θ = (Σ_{i≤ρ} u_i − 1)/ρ and z = max(y − θ, 0). θ is also the multiplier of Σz = 1.
    /// </summary>
    public static (Vector<double> Z, double Theta) OntoSimplex(Vector<double> y)
    {
        var u = y.OrderByDescending(v => v).ToArray();
        double cumulative = 0, theta = 0;
        for (int j = 0; j < u.Length; j++)
        {
            cumulative += u[j];
            double candidate = (cumulative - 1) / (j + 1);
            if (u[j] - candidate > 0) theta = candidate;
        }
        return (y.Map(v => Math.Max(v - theta, 0)), theta);
    }

    /// <summary>The QP  min ½‖z − y‖²  s.t.  −z ≤ 0, 1ᵀz = 1  whose solution is the simplex projection of y.</summary>
    public static QpInstance SimplexQp(Vector<double> y)
    {
        int n = y.Count;
        return new QpInstance(Matrix<double>.Build.DenseIdentity(n), -y, -Matrix<double>.Build.DenseIdentity(n),
            Vector<double>.Build.Dense(n), Matrix<double>.Build.Dense(1, n, 1.0), Vector<double>.Build.Dense(1, 1.0));
    }

    /// <summary>The QP  min ½‖z − c‖²  s.t.  z ≤ upper, −z ≤ −lower  whose solution is clamp(c, lower, upper).</summary>
    public static QpInstance BoxQp(Vector<double> c, Vector<double> lower, Vector<double> upper)
    {
        int n = c.Count;
        var identity = Matrix<double>.Build.DenseIdentity(n);
        return new QpInstance(identity, -c, identity.Stack(-identity),
            Vector<double>.Build.DenseOfEnumerable(upper.Concat(-lower)), QpInstance.Empty(n), Vector<double>.Build.Dense(0));
    }
}
