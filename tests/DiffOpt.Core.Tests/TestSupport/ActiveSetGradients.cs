using MathNet.Numerics.LinearAlgebra;

namespace DiffOpt.Tests.TestSupport;

/// <summary>Gradients of L = wᵀz* for one problem, in double precision.</summary>
internal sealed record ExactGradients(Matrix<double> Q, Vector<double> P, Matrix<double> G, Vector<double> H, Matrix<double> A, Vector<double> B);

/// <summary>
/// The exact derivative of the solution map at a nondegenerate point (strict complementarity, LICQ, Q ≻ 0 on the
/// null space of the active rows), where z* is locally the solution of the equality-constrained QP with the
/// active rows S as equalities. Differentiating  Qz + p + G_Sᵀλ_S + Aᵀν = 0,  G_S z = h_S,  Az = b  and solving
/// the adjoint system
/// <code>
///   [ Q    G_Sᵀ  Aᵀ ] [d_z]   [−w]
///   [ G_S  0     0  ] [d_λ] = [ 0]
///   [ A    0     0  ] [d_ν]   [ 0]
/// </code>
/// gives ∇p = d_z, ∇Q = ½(d_z zᵀ + z d_zᵀ), ∇G_S = λ_S d_zᵀ + d_λ zᵀ, ∇h_S = −d_λ, ∇A = ν d_zᵀ + d_ν zᵀ,
/// ∇b = −d_ν, and zero for the inactive rows (OptNet §3 restricted to the active set). Uses the known (z*, λ*, ν*),
/// not any solver output.
/// </summary>
internal static class ActiveSetGradients
{
    public static ExactGradients Compute(PlantedQp planted, Vector<double> w)
    {
        var qp = planted.Problem;
        var active = Enumerable.Range(0, qp.M).Where(i => planted.Lambda[i] > 0).ToArray();
        var gs = active.Length == 0 ? QpInstance.Empty(qp.N) : Matrix<double>.Build.DenseOfRowVectors(active.Select(qp.G.Row));
        var c = gs.Stack(qp.A);
        int n = qp.N, r = c.RowCount;
        var kkt = Matrix<double>.Build.DenseOfMatrixArray(new[,] { { qp.Q, c.Transpose() }, { c, Matrix<double>.Build.Dense(r, r) } });
        var d = kkt.Solve(Vector<double>.Build.DenseOfEnumerable((-w).Concat(Enumerable.Repeat(0.0, r))));
        var dz = d.SubVector(0, n);
        var z = planted.Z;

        var dLambda = Vector<double>.Build.Dense(qp.M);
        for (int j = 0; j < active.Length; j++) dLambda[active[j]] = d[n + j];
        var dNu = d.SubVector(n + active.Length, qp.K);
        return new ExactGradients(
            0.5 * (dz.OuterProduct(z) + z.OuterProduct(dz)),
            dz,
            planted.Lambda.OuterProduct(dz) + dLambda.OuterProduct(z),
            -dLambda,
            planted.Nu.OuterProduct(dz) + dNu.OuterProduct(z),
            -dNu);
    }
}
