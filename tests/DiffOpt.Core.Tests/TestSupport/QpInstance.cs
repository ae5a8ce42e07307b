using MathNet.Numerics.LinearAlgebra;

namespace DiffOpt.Tests.TestSupport;

/// <summary>
/// One QP  minimize ½zᵀQz + pᵀz  s.t.  Gz ≤ h, Az = b  in dense double precision (the test suite's
/// ground-truth form). Absent blocks are zero-row matrices.
/// </summary>
internal sealed record QpInstance(Matrix<double> Q, Vector<double> P, Matrix<double> G, Vector<double> H, Matrix<double> A, Vector<double> B)
{
    public int N => P.Count;
    public int M => H.Count;
    public int K => B.Count;

    public double Objective(Vector<double> z) => 0.5 * z.DotProduct(Q * z) + P.DotProduct(z);

    /// <summary>An unconstrained problem.</summary>
    public static QpInstance Unconstrained(Matrix<double> q, Vector<double> p) =>
        new(q, p, Empty(q.ColumnCount), Vector<double>.Build.Dense(0), Empty(q.ColumnCount), Vector<double>.Build.Dense(0));

    /// <summary>A zero-row matrix with <paramref name="columns"/> columns.</summary>
    public static Matrix<double> Empty(int columns) => Matrix<double>.Build.Dense(0, columns);

    public QpInstance WithoutInequalities() => this with { G = Empty(N), H = Vector<double>.Build.Dense(0) };

    public QpInstance WithoutEqualities() => this with { A = Empty(N), B = Vector<double>.Build.Dense(0) };
}
