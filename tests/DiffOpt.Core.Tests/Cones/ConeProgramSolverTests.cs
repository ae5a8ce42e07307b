using DiffOpt.Cones;
using DiffOpt.Native;
using DiffOpt.Qp;
using DiffOpt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones;

/// <summary>
/// <see cref="ConeProgramSolver"/> on programs with known solutions: planted programs of every cone type
/// (<see cref="PlantedConePrograms"/>), closed-form exponential-cone programs, float32 data and a shared A.
/// </summary>
public class ConeProgramSolverTests(ITestOutputHelper output)
{
    private static readonly ConeProgramSolverOptions Tight = new() { Tolerance = 1e-11, RelativeTolerance = 1e-11 };

    public static TheoryData<string> ConeFamilies => ["soc", "psd", "exp", "mixed"];

    /// <summary>The cones of a planted family.</summary>
    internal static Cone[] Family(string name) => name switch
    {
        "soc" => [new ZeroCone(1), new NonnegativeCone(3), new SecondOrderCone(3), new SecondOrderCone(4)],
        "psd" => [new NonnegativeCone(2), new PsdCone(2), new PsdCone(3)],
        "exp" => [new ZeroCone(1), new NonnegativeCone(2), new ExponentialCone(3)],
        _ => [new ZeroCone(1), new NonnegativeCone(2), new SecondOrderCone(3), new PsdCone(2), new ExponentialCone(2)],
    };

    [Theory]
    [MemberData(nameof(ConeFamilies))]
    public void Solve_RecoversThePlantedSolution_ForEveryConeFamily(string family)
    {
        // n > m keeps the active constraints independent, so that y is unique too.
        var cones = Family(family);
        var point = PlantedConePrograms.Plant(cones, variables: cones.Sum(c => c.Rows) + 1, batch: 3, seed: 11, diagonal: 2);
        var solution = new ConeProgramSolver(Tight).Solve(point.A, point.B, point.C, point.Cones, point.P);
        for (int i = 0; i < point.Batch; i++)
        {
            double ex = RelativeError(solution.X[i], point.X[i]), ey = RelativeError(solution.Y[i], point.Y[i]);
            output.WriteLine($"{family}[{i}]: {solution.Status[i]} in {solution.Iterations[i]}; x error {ex:E2}, y error {ey:E2}");
            Assert.True(solution.Status[i].HasSolution(), $"item {i}: {solution.Status[i]}");
            Assert.True(ex <= 1e-5 && ey <= 1e-5, $"item {i}: x off by {ex:E2}, y by {ey:E2}");
        }
        Assert.True(new ConeProgramSolver().Solve(point.A, point.B, point.C, point.Cones, point.P).AllSolved);
    }

    [Theory]
    [MemberData(nameof(ConeFamilies))]
    public void Solve_SolvesSeededPlantedBatches_WithAndWithoutP(string family)
    {
        // A sweep of 8 seeds × {P, no P} × noise {1, 10} × 6 items per family gave 958 of 960 items Solved and 2
        // Inaccurate (mixed family), at most 23 iterations; this is its cheaper part.
        var statuses = new List<SolverStatus>();
        for (int seed = 0; seed < 3; seed++)
            foreach (bool withP in new[] { true, false })
            {
                var point = PlantedConePrograms.Plant(Family(family), variables: 6, batch: 6, seed: seed, withP: withP, diagonal: 1);
                var solution = new ConeProgramSolver().Solve(point.A, point.B, point.C, point.Cones, point.P);
                statuses.AddRange(solution.Status);
                Assert.All(solution.Iterations, k => Assert.True(k <= 30, $"{k} iterations"));
            }
        output.WriteLine(string.Join(", ", statuses.GroupBy(s => s).Select(g => $"{g.Key} × {g.Count()}")));
        Assert.All(statuses, s => Assert.True(s.HasSolution(), s.ToString()));
        Assert.True(statuses.Count(s => s == SolverStatus.Solved) >= statuses.Count - 1);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void Solve_MaximisesEntropy_ToTheUniformDistribution(int n)
    {
        // maximize Σ −xᵢ log xᵢ s.t. Σx = 1 as: minimize −Σtᵢ s.t. (tᵢ, xᵢ, 1) ∈ K_exp (xᵢ e^{tᵢ/xᵢ} ≤ 1 ⇔ tᵢ ≤ −xᵢ log xᵢ).
        var softmax = EntropyProgram(zeros(n, dtype: ScalarType.Float64));
        AssertClose(ScalarSafeOperations.With(1.0 / n, value => full(n, value, dtype: ScalarType.Float64)), softmax, 1e-6);
    }

    [Fact]
    public void Solve_MaximisesEntropyPlusALinearTerm_ToTheSoftmax()
    {
        // maximize wᵀx + Σ −xᵢ log xᵢ on the simplex: the maximiser is softmax(w).
        var w = tensor(new[] { 0.3, -1.2, 2.0, 0.0 }, dtype: ScalarType.Float64);
        AssertClose(nn.functional.softmax(w, 0), EntropyProgram(w), 1e-6);
    }

    [Fact]
    public void Solve_ReturnsPrimalInfeasible_ForAnEntropyProgramWhoseWeightsMustSumToMinusOne()
    {
        // (tᵢ, xᵢ, 1) ∈ K_exp forces xᵢ ≥ 0, so Σx = −1 has no solution; item 1 (Σx = 1) is feasible.
        int n = 3;
        var (a, b, c) = EntropyData(zeros(n, dtype: ScalarType.Float64));
        var bs = stack([ScalarSafeOperations.With(-1.0, value => b.clone().index_put_(value, 0)), b]);
        Cone[] cones = [new ZeroCone(1), new ExponentialCone(n)];
        var solution = new ConeProgramSolver().Solve(a, bs, c, cones);
        output.WriteLine($"{string.Join(", ", solution.Status)} in {string.Join(", ", solution.Iterations)}");
        Assert.Equal([SolverStatus.PrimalInfeasible, SolverStatus.Solved], solution.Status);
        var y = solution.Y[0];
        Assert.Equal(-1, (bs[0] * y).sum().item<double>(), 1e-9);
        Assert.True(a.T.matmul(y).abs().max().item<double>() <= 1e-7);
        Assert.True(ConeMath.For(new ExponentialCone(n)).ContainsDual(y.narrow(0, 1, 3 * n).unsqueeze(0), 1e-9).item<bool>());
    }

    [Fact]
    public void Solve_ReturnsDualInfeasible_WhenTheObjectiveRunsAlongASecondOrderCone()
    {
        // minimize −t s.t. u = 1, (t, u) ∈ Q: t grows without bound along the ray (1, 0).
        var a = tensor(new double[,] { { 0, 1 }, { -1, 0 }, { 0, -1 } });
        var b = tensor(new double[] { 1, 0, 0 });
        var c = tensor(new double[] { -1, 0 });
        var solution = new ConeProgramSolver().Solve(a, b, c, [new ZeroCone(1), new SecondOrderCone(2)]);
        output.WriteLine($"{solution.Status[0]} in {solution.Iterations[0]}");
        Assert.Equal(SolverStatus.DualInfeasible, solution.Status[0]);
        var x = solution.X[0];
        Assert.Equal(-1, (c * x).sum().item<double>(), 1e-9);
        Assert.True(a.matmul(x).Plus(solution.S[0]).abs().max().item<double>() <= 1e-7);
        Assert.True(ConeMath.For(new SecondOrderCone(2)).Contains(solution.S.narrow(1, 1, 2), 1e-9).item<bool>());
    }

    [Fact]
    public void Solve_MinimisesAnUnconstrainedQuadratic_WhenThereAreNoCones()
    {
        var p = tensor(new double[,] { { 2, 0.5 }, { 0.5, 1 } });
        var c = tensor(new double[] { 1, -1 });
        var solution = new ConeProgramSolver().Solve(zeros(0, 2, dtype: ScalarType.Float64), zeros(0, dtype: ScalarType.Float64), c, [], p);
        Assert.Equal(SolverStatus.Solved, solution.Status[0]);
        AssertClose(-linalg.solve(p, c), solution.X[0], 1e-8);
    }

    [Fact]
    public void Solve_SolvesFloat32Data_ToTheFloat32Tolerances()
    {
        var point = PlantedConePrograms.Plant(Family("mixed"), variables: 6, batch: 3, seed: 5, diagonal: 2).To(ScalarType.Float32);
        var solution = new ConeProgramSolver().Solve(point.A, point.B, point.C, point.Cones, point.P);
        Assert.Equal(ScalarType.Float32, solution.X.dtype);
        Assert.True(solution.AllSolved, string.Join(", ", solution.Status));
        for (int i = 0; i < point.Batch; i++)
            Assert.True(RelativeError(solution.X[i], point.X[i]) <= 1e-3, $"item {i}: {RelativeError(solution.X[i], point.X[i]):E2}");
    }

    [Fact]
    public void Solve_GivesEachItemItsOwnSolution_WhenAIsShared()
    {
        var point = PlantedConePrograms.Plant(Family("soc"), variables: 6, batch: 3, seed: 3, sharedA: true, sharedP: true, diagonal: 2);
        Assert.Equal(2, point.A.dim());
        var solution = new ConeProgramSolver(Tight).Solve(point.A, point.B, point.C, point.Cones, point.P);
        Assert.Equal(new long[] { 3, 6 }, solution.X.shape);
        for (int i = 0; i < point.Batch; i++)
            Assert.True(RelativeError(solution.X[i], point.X[i]) <= 1e-5);
    }

    [Fact]
    public void Solve_ReturnsUnbatchedDataAsABatchOfOne_WithVectorsGivenWithoutABatchDimension()
    {
        var point = PlantedConePrograms.Plant(Family("soc"), variables: 6, batch: 1, seed: 4, diagonal: 2);
        var solution = new ConeProgramSolver(Tight).Solve(point.A[0], point.B[0], point.C[0], point.Cones, point.P![0]);
        Assert.Equal(new long[] { 1, 6 }, solution.X.shape);
        Assert.True(RelativeError(solution.X[0], point.X[0]) <= 1e-5);
    }

    [Fact]
    public void Solve_StopsAtTheIterationLimit_WithStatusMaxIterations()
    {
        var point = PlantedConePrograms.Plant(Family("psd"), variables: 6, batch: 2, seed: 2, diagonal: 2);
        var solution = new ConeProgramSolver(new ConeProgramSolverOptions { MaxIterations = 2 })
            .Solve(point.A, point.B, point.C, point.Cones, point.P);
        Assert.All(solution.Status, s => Assert.Equal(SolverStatus.MaxIterations, s));
        Assert.All(solution.Iterations, k => Assert.Equal(2, k));
        Assert.Throws<SolveFailedException>(() => new ConeProgramSolver(new ConeProgramSolverOptions { MaxIterations = 2, ThrowOnFailure = true })
            .Solve(point.A, point.B, point.C, point.Cones, point.P));
    }

    /// <summary>
    /// argmax wᵀx − Σxᵢ log xᵢ over the simplex, written with variables (x, t) ∈ ℝⁿ × ℝⁿ: minimize −wᵀx − Σtᵢ subject to
    /// Σxᵢ = 1 (a zero cone) and (tᵢ, xᵢ, 1) ∈ K_exp, i.e. rows −tᵢ, −xᵢ and b = 1 in the third row of each triple.
    /// </summary>
    private Tensor EntropyProgram(Tensor w)
    {
        int n = (int)w.shape[0];
        var (a, b, c) = EntropyData(w);
        var solution = new ConeProgramSolver(Tight).Solve(a, b, c, [new ZeroCone(1), new ExponentialCone(n)]);
        output.WriteLine($"{solution.Status[0]} in {solution.Iterations[0]} iterations");
        Assert.Equal(SolverStatus.Solved, new ConeProgramSolver().Solve(a, b, c, [new ZeroCone(1), new ExponentialCone(n)]).Status[0]);
        Assert.True(solution.Status[0].HasSolution());
        return solution.X[0].narrow(0, 0, n);
    }

    /// <summary>The data (A, b, c) of <see cref="EntropyProgram"/>.</summary>
    internal static (Tensor A, Tensor B, Tensor C) EntropyData(Tensor w)
    {
        int n = (int)w.shape[0];
        var a = zeros(1 + 3 * n, 2 * n, dtype: ScalarType.Float64);
        var b = zeros(1 + 3 * n, dtype: ScalarType.Float64);
        a[0].narrow(0, 0, n).fill_(ScalarSafeOperations.One);
        b[0] = 1;
        for (int i = 0; i < n; i++)
        {
            a[1 + 3 * i, n + i] = -1;   // first entry t
            a[2 + 3 * i, i] = -1;       // second entry x
            b[3 + 3 * i] = 1;           // third entry 1
        }
        return (a, b, cat([-w, -ones(n, dtype: ScalarType.Float64)]));
    }

    private static double RelativeError(Tensor actual, Tensor expected) =>
        (actual.to(ScalarType.Float64) - expected.to(ScalarType.Float64)).abs().max().item<double>()
        / (1 + expected.to(ScalarType.Float64).abs().max().item<double>());

    private static void AssertClose(Tensor expected, Tensor actual, double tolerance)
    {
        double error = (expected - actual).abs().max().item<double>();
        Assert.True(error <= tolerance, $"off by {error:E2}: expected {string.Join(", ", expected.data<double>().ToArray())}, got {string.Join(", ", actual.data<double>().ToArray())}");
    }
}
