using DiffOpt.Qp;
using DiffOpt.Tests.TestSupport;
using MathNet.Numerics.LinearAlgebra;
using TorchSharp;
using Xunit.Abstractions;

namespace DiffOpt.Tests.Qp;

/// <summary>
/// Gradients of L = Σ w∘z* through <see cref="QpFunction.Apply"/> for every input (Q, p, G, h, A, b) against
/// central finite differences (float64, forward solves at absolute tolerance 1e-12, step 1e-5) along random
/// directions (symmetric for Q), at points where the solution map is differentiable.
/// </summary>
public class GradientTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(5, 8, 2, 1, 1, 201)]
    [InlineData(8, 12, 3, 2, 2, 202)]
    [InlineData(12, 16, 5, 3, 2, 203)]
    [InlineData(6, 6, 0, 2, 1, 204)]
    [InlineData(10, 14, 6, 4, 1, 205)]
    public void Apply_GradientsMatchExactDerivativeAndCentralDifferences_AtNondegeneratePoints(int n, int m, int active, int k, int batch, int seed)
    {
        var random = new ProblemGenerator(seed);
        var planted = Enumerable.Range(0, batch).Select(_ => random.Planted(n, m, active, k)).ToList();
        var point = QpTensors.Stack(planted.Select(p => p.Problem).ToList());

        var weights = FiniteDifferences.RandomWeights(point, random);

        var grads = FiniteDifferences.Gradients(point, weights, FiniteDifferences.Tight, QpTensors.AllArgs);
        var comparisons = FiniteDifferences.Compare(point, weights, FiniteDifferences.RandomDirections(point, random, 2, QpTensors.AllArgs));

        for (int i = 0; i < batch; i++)
            GradientAssert.MatchesExact(ActiveSetGradients.Compute(planted[i], QpTensors.ToVector(weights[i])), grads, output, item: i);
        GradientAssert.AllClose(comparisons, output);
    }

    [Fact]
    public void Apply_GradientsMatchCentralDifferences_AtLinearProgramVertex()
    {
        // Q = 0 with n − k active rows: z* is a nondegenerate vertex, locally a function of (G, h, A, b) only
        // (its derivative in p is 0). Q is not perturbed: Q − tD would not be positive semidefinite.
        var random = new ProblemGenerator(206);
        var planted = Enumerable.Range(0, 2).Select(_ => random.Planted(6, 9, 4, 2, Curvature.Zero)).ToList();
        var point = QpTensors.Stack(planted.Select(p => p.Problem).ToList());

        var comparisons = FiniteDifferences.Compare(point, FiniteDifferences.RandomWeights(point, random),
            FiniteDifferences.RandomDirections(point, random, 2, QpArg.P, QpArg.G, QpArg.H, QpArg.A, QpArg.B));

        GradientAssert.AllClose(comparisons.Where(c => c.Arg != QpArg.P).ToList(), output);
        Assert.All(comparisons.Where(c => c.Arg == QpArg.P), c => Assert.True(Math.Abs(c.Analytic) < 1e-6 && Math.Abs(c.Numeric) < 1e-6, c.ToString()));
    }

    [Fact]
    public void Apply_GradientsMatchClosedFormAndCentralDifferences_ForEqualityOnlyProblems()
    {
        // With only Az = b, [Q Aᵀ; A 0][d_z; d_ν] = [−w; 0] gives ∇p = d_z and ∇b = −d_ν (OptNet eq. 8 without G).
        var random = new ProblemGenerator(207);
        var items = Enumerable.Range(0, 2).Select(_ => random.Feasible(7, 0, 3).Problem).ToList();
        var point = QpTensors.Stack(items);
        var weights = FiniteDifferences.RandomWeights(point, random);

        var grads = FiniteDifferences.Gradients(point, weights, FiniteDifferences.Tight, QpArg.P, QpArg.B);
        for (int i = 0; i < items.Count; i++)
        {
            var qp = items[i];
            var kkt = Matrix<double>.Build.DenseOfMatrixArray(new[,] { { qp.Q, qp.A.Transpose() }, { qp.A, Matrix<double>.Build.Dense(qp.K, qp.K) } });
            var w = QpTensors.ToVector(weights[i]);
            var d = kkt.Solve(Vector<double>.Build.DenseOfEnumerable((-w).Concat(Enumerable.Repeat(0.0, qp.K))));
            VectorAssert.Close(d.SubVector(0, qp.N), QpTensors.ToVector(grads[QpArg.P][i]), 1e-9, $"item {i}: ∇p", output);
            VectorAssert.Close(-d.SubVector(qp.N, qp.K), QpTensors.ToVector(grads[QpArg.B][i]), 1e-9, $"item {i}: ∇b", output);
        }

        var comparisons = FiniteDifferences.Compare(point, weights,
            FiniteDifferences.RandomDirections(point, random, 2, QpArg.Q, QpArg.P, QpArg.A, QpArg.B));
        GradientAssert.AllClose(comparisons, output);
    }

    [Fact]
    public void Apply_GradientsMatchCentralDifferences_WhenEqualityRowsAreRedundantAndPerturbedConsistently()
    {
        // Rows 3 and 4 of A are a₀ + 2a₁ and a₂ (b likewise). ν is not unique, but along directions that keep the
        // rows dependent (dA₃ = dA₀ + 2dA₁, dA₄ = dA₂, same for db) the solution map is differentiable and ⟨∇, D⟩
        // does not depend on which ν the solver picked.
        var random = new ProblemGenerator(208);
        var planted = random.Planted(7, 9, 2, 3);
        var qp = planted.Problem with { A = Redundant(planted.Problem.A), B = Redundant(planted.Problem.B) };

        AssertGradientsAlongStructuredDirections(qp, random, [QpArg.Q, QpArg.P, QpArg.G, QpArg.H],
            (QpArg.A, () => QpTensors.ToTensor(Redundant(random.NormalMatrix(3, 7)))),
            (QpArg.B, () => QpTensors.ToTensor(Redundant(random.NormalVector(3)))));
    }

    [Fact]
    public void Apply_GradientsMatchCentralDifferences_WhenInactiveInequalityRowsAreDuplicated()
    {
        // Rows 6..8 (inactive, slack ≥ 0.5) are repeated: any small perturbation keeps them inactive.
        var random = new ProblemGenerator(209);
        var planted = random.Planted(6, 9, 3, 1);
        var g = planted.Problem.G;
        var qp = planted.Problem with
        {
            G = g.Stack(g.SubMatrix(6, 3, 0, 6)),
            H = Vector<double>.Build.DenseOfEnumerable(planted.Problem.H.Concat(planted.Problem.H.SubVector(6, 3))),
        };
        var point = QpTensors.Single(qp);

        var comparisons = FiniteDifferences.Compare(point, FiniteDifferences.RandomWeights(point, random),
            FiniteDifferences.RandomDirections(point, random, 2, QpTensors.AllArgs));

        GradientAssert.AllClose(comparisons, output);
    }

    [Fact]
    public void Apply_GradientsMatchCentralDifferences_WhenActiveInequalityRowsAreDuplicatedAndPerturbedConsistently()
    {
        // Active rows 0..2 are repeated as rows 9..11. λ splits arbitrarily over the copies, but along directions that
        // keep the copies equal the solution map is that of the problem without copies, hence differentiable.
        var random = new ProblemGenerator(210);
        var planted = random.Planted(6, 9, 3, 1);
        var qp = planted.Problem with { G = Duplicated(planted.Problem.G), H = Duplicated(planted.Problem.H) };

        AssertGradientsAlongStructuredDirections(qp, random, [QpArg.Q, QpArg.P, QpArg.A, QpArg.B],
            (QpArg.G, () => QpTensors.ToTensor(Duplicated(random.NormalMatrix(9, 6)))),
            (QpArg.H, () => QpTensors.ToTensor(Duplicated(random.NormalVector(9)))));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1e-2)]
    public void Apply_GradientsMatchExactActiveSetDerivative_WhenAnInactiveRowIsClose(double slack)
    {
        // Row 3 is inactive (λ* = 0) with slack 'slack': a nondegenerate point, where the solution map is locally that
        // of the equality-constrained QP on the active rows. Compare with its exact derivative and with central
        // differences (steps of 1e-5 keep the active set). Smaller slacks: see the skipped test below.
        var (planted, point) = PlantedWithCloseInactiveRow(slack);
        var random = new ProblemGenerator(212);
        var weights = FiniteDifferences.RandomWeights(point, random);

        var grads = FiniteDifferences.Gradients(point, weights, FiniteDifferences.Tight, QpTensors.AllArgs);
        var exact = ActiveSetGradients.Compute(planted, QpTensors.ToVector(weights[0]));
        var comparisons = FiniteDifferences.Compare(point, weights, FiniteDifferences.RandomDirections(point, random, 2, QpTensors.AllArgs));

        GradientAssert.MatchesExact(exact, grads, output);
        GradientAssert.AllClose(comparisons, output);
    }

    [Fact]
    public void Apply_GradientIsExact_WhenAnInactiveRowHasSmallSlack()
    {
        // 1-D: min ½z² − z s.t. z ≤ 1 + 1e-4. z* = 1, λ* = 0 (strictly inactive), so dz*/dp = −1 exactly.
        var p = torch.tensor(new[] { -1.0 }).requires_grad_();
        var z = QpFunction.Apply(torch.tensor(new[,] { { 1.0 } }), p, torch.tensor(new[,] { { 1.0 } }), torch.tensor(new[] { 1.0001 }), null, null);
        z.sum().backward();
        Assert.True(Math.Abs(p.grad!.item<double>() + 1) <= 1e-6, $"dz/dp = {p.grad!.item<double>():G12}, exact −1");

        // 6-D planted problem, row 3 inactive with slack 1e-4, forward solve at absolute tolerance 1e-12.
        var (planted, point) = PlantedWithCloseInactiveRow(1e-4);
        var weights = FiniteDifferences.RandomWeights(point, new ProblemGenerator(212));
        var grads = FiniteDifferences.Gradients(point, weights, FiniteDifferences.Tight, QpTensors.AllArgs);
        GradientAssert.MatchesExact(ActiveSetGradients.Compute(planted, QpTensors.ToVector(weights[0])), grads, output);
    }

    private static (PlantedQp Planted, QpTensors Point) PlantedWithCloseInactiveRow(double slack)
    {
        var planted = new ProblemGenerator(211).Planted(6, 8, 3, 1);
        var h = planted.Problem.H.Clone();
        h[3] = planted.Problem.G.Row(3) * planted.Z + slack;
        planted = planted with { Problem = planted.Problem with { H = h } };
        return (planted, QpTensors.Single(planted.Problem));
    }

    /// <summary>Finite-difference check along two random directions of each free argument and two of each structured direction.</summary>
    private void AssertGradientsAlongStructuredDirections(QpInstance qp, ProblemGenerator random, QpArg[] freeArgs,
        params (QpArg Arg, Func<torch.Tensor> Direction)[] structured)
    {
        var point = QpTensors.Single(qp);
        var directions = FiniteDifferences.RandomDirections(point, random, 2, freeArgs);
        for (int j = 0; j < 2; j++)
            directions.AddRange(structured.Select(s => (s.Arg, s.Direction())));
        var comparisons = FiniteDifferences.Compare(point, FiniteDifferences.RandomWeights(point, random), directions);

        GradientAssert.AllClose(comparisons, output);
    }

    private static Matrix<double> Redundant(Matrix<double> a) => a.Stack(Matrix<double>.Build.DenseOfRowVectors(a.Row(0) + 2 * a.Row(1), a.Row(2)));

    private static Vector<double> Redundant(Vector<double> b) => Vector<double>.Build.DenseOfEnumerable(b.Concat([b[0] + 2 * b[1], b[2]]));

    private static Matrix<double> Duplicated(Matrix<double> g) => g.Stack(g.SubMatrix(0, 3, 0, g.ColumnCount));

    private static Vector<double> Duplicated(Vector<double> h) => Vector<double>.Build.DenseOfEnumerable(h.Concat(h.SubVector(0, 3)));
}
