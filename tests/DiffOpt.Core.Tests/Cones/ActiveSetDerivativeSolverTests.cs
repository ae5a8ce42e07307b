using DiffOpt.Cones;
using DiffOpt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones;

/// <summary>
/// The active-set derivative solver (<see cref="ActiveSetDerivativeSolver"/>) against the dense LU of the full
/// J = [P, AᵀD; A, D − I] on the same <see cref="DerivativeSystem"/>: the square form (an LP at a vertex), the symmetric
/// form (a QP, and an LP with a row at v_i = 0 where D = ½), variables fixed by single active rows, second-order blocks
/// whose D is 0 or I, the least-squares fallback at a singular J, and the residual it reports (the full system's).
/// </summary>
public class ActiveSetDerivativeSolverTests(ITestOutputHelper output)
{
    /// <summary>
    /// A planted batch of three: "LP" (zero 2, nonnegative 6, n = 5: five active rows), "QP" (zero 2, nonnegative 7,
    /// n = 6, P ≻ 0), "LPHalf" (the LP with item 1's inactive row 3 moved to s = y = 0, so v = 0 and D = ½ there),
    /// "LPSingular" (three active nonnegative rows for n = 2: LICQ fails and J is singular, except in item 1 whose
    /// row 2 is made inactive), "LPBounds" and "QPBounds" (the LP and the QP with some rows single nonzeros:
    /// <see cref="BoundRows"/>), "QPBoundsSingular" (QPBounds with item 0's active row 8 a second bound on x₀, so that J
    /// is singular there), "SOCP" (zero 2, second-order 4, nonnegative 6, n = 10: the second-order block's D is I in
    /// item 0, general in item 1 (the pair on the boundary: reduced in D's eigenbasis to the quasi-definite system of its
    /// λ &gt; ½ rows, n + 6) and 0 in item 2).
    /// </summary>
    private static ConeProgramPoint Planted(string family)
    {
        switch (family)
        {
            case "LP":
                return PlantedConePrograms.Plant([new ZeroCone(2), new NonnegativeCone(6)], 5, batch: 3, seed: 1201, withP: false);
            case "QP":
                return PlantedConePrograms.Plant([new ZeroCone(2), new NonnegativeCone(7)], 6, batch: 3, seed: 1202);
            case "LPBounds":
                return PlantedConePrograms.WithSingletonRows(Planted("LP"), [(2, 0, -1.0), (4, 1, 2.0), (3, 4, -1.0)]);
            case "QPBounds":
                return PlantedConePrograms.WithSingletonRows(Planted("QP"), BoundRows);
            case "QPBoundsSingular":
                return PlantedConePrograms.WithSingletonRows(Planted("QPBounds"), [(8, 0, 3.0)], item: 0);
            case "SOCP":
                return PlantedConePrograms.Plant([new ZeroCone(2), new SecondOrderCone(4), new NonnegativeCone(6)], 10, batch: 3, seed: 1204);
            case "LPHalf":
                {
                    var point = Planted("LP");
                    var s = point.S.clone();
                    s[1, 2 + 3] = tensor(0.0);
                    return PlantedConePrograms.Replant(point, s, point.Y);
                }
            default:
                {
                    var point = PlantedConePrograms.Plant([new NonnegativeCone(6)], 2, batch: 3, seed: 1203, withP: false);
                    var (s, y) = (point.S.clone(), point.Y.clone());
                    s[1, 2] = tensor(1.0);
                    y[1, 2] = tensor(0.0);
                    return PlantedConePrograms.Replant(point, s, y);
                }
        }
    }

    /// <summary>
    /// Rows of the QP family (zero 2, nonnegative 7 from row 2, its even rows active) made single nonzeros: the zero-cone
    /// row 0 fixes x₃, the active rows 2, 4, 6 bound x₀, x₁, x₂, the inactive row 3 bounds x₄ (d = 0: dropped anyway).
    /// </summary>
    internal static readonly (int Row, int Column, double Value)[] BoundRows = [(0, 3, 1.5), (2, 0, -1.0), (4, 1, -2.0), (6, 2, 0.5), (3, 4, -1.0)];

    private static DerivativeSystem Build(ConeProgramPoint point)
    {
        var d = new CompositeCone(point.Cones).ProjectDualDerivative(point.Y - point.S);
        return new DerivativeSystem(point.A, point.P, d, (int)point.Batch, (int)point.Variables, (int)point.Rows);
    }

    /// <summary>The dense J per item, (B, N, N), from the definition.</summary>
    private static Tensor DenseJacobian(ConeProgramPoint point)
    {
        long batch = point.Batch, m = point.Rows, n = point.Variables;
        var d = new CompositeCone(point.Cones).ProjectDualDerivative(point.Y - point.S).Dense();
        var a = point.A.expand(batch, m, n);
        var p = point.P is null ? zeros(batch, n, n, dtype: ScalarType.Float64) : point.P.expand(batch, n, n);
        return cat([cat([p, a.transpose(1, 2).matmul(d)], 2), cat([a, d - eye(m, dtype: ScalarType.Float64)], 2)], 1);
    }

    [Theory]
    [InlineData("LP", new[] { 5, 5, 5 }, 0)]
    [InlineData("QP", new[] { 12, 12, 12 }, 0)]
    [InlineData("LPHalf", new[] { 5, 11, 5 }, 0)]
    [InlineData("LPSingular", new[] { 0, 2, 0 }, 0)]
    [InlineData("LPBounds", new[] { 3, 3, 3 }, 2)]
    [InlineData("QPBounds", new[] { 4, 4, 4 }, 4)]
    [InlineData("QPBoundsSingular", new[] { 0, 4, 4 }, 4)]
    [InlineData("SOCP", new[] { 19, 16, 15 }, 0)]
    public void Solve_AgreesWithTheFullLu_AndReportsTheFullResidual(string family, int[] orders, int fixedVariables)
    {
        bool singular = family.EndsWith("Singular", StringComparison.Ordinal);
        var point = Planted(family);
        var system = Build(point);
        var reduced = new ActiveSetDerivativeSolver(system);
        var full = new RefinedBatchSolver(system);
        output.WriteLine($"reduced orders {string.Join(", ", reduced.ReducedOrders)} of N = {system.Order}");
        Assert.Equal(orders, reduced.ReducedOrders);
        Assert.Equal(orders.Select(order => order == 0 ? 0 : fixedVariables), reduced.FixedVariables);
        Assert.Equal(full.Singular.data<bool>().ToArray(), reduced.Singular.data<bool>().ToArray());
        Assert.Equal(singular, reduced.Singular[0].item<bool>());

        foreach (var (difference, residual, recomputed) in AgainstTheFullLu(point, system, reduced, full, 1210 + family.Length))
        {
            Assert.True(difference <= (singular ? 1e-10 : 1e-12), $"reduced and full solutions differ by {difference:G3}");
            for (int i = 0; i < point.Batch; i++)
                Assert.Equal(recomputed[i].item<double>(), residual[i].item<double>(), 1e-13);
            if (!singular) Assert.True(residual.max().item<double>() <= 1e-12, "regular items solve to rounding");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ASharedA_AndP_ReduceAsTheSameDataGivenPerItem(bool withP)
    {
        // A and P shared by the batch: the rows' single nonzeros and whether P = 0 are found once for every item; the
        // reduced systems (orders, fixed variables) and solutions must be those of the same data copied per item.
        var planted = PlantedConePrograms.Plant([new ZeroCone(2), new NonnegativeCone(7)], 6, batch: 3, seed: 1205, withP: withP, sharedA: true,
            sharedP: true);
        var a = planted.A.clone();
        foreach (var (row, column, value) in BoundRows)
        {
            a[row] = zeros(planted.Variables, dtype: a.dtype);
            a[row, column] = tensor(value, dtype: a.dtype);
        }
        var point = PlantedConePrograms.Replant(planted with { A = a }, planted.S, planted.Y);
        long batch = point.B.shape[0], m = a.shape[0], n = a.shape[1];
        var perItem = point with { A = a.expand(batch, m, n).clone(), P = point.P?.expand(batch, n, n).clone() };
        var sharedSystem = Build(point);
        Assert.True(sharedSystem.SharesA && sharedSystem.SharesP);
        var shared = new ActiveSetDerivativeSolver(sharedSystem);
        var reference = new ActiveSetDerivativeSolver(Build(perItem));
        Assert.Equal(reference.ReducedOrders, shared.ReducedOrders);
        Assert.Equal(reference.FixedVariables, shared.FixedVariables);
        Assert.All(shared.FixedVariables, f => Assert.Equal(4, f));   // rows 0, 2, 4 and 6 of BoundRows fix x₃, x₀, x₁, x₂
        var random = new ProblemGenerator(1206);
        foreach (bool transpose in new[] { false, true })
        {
            var rhs = tensor(Enumerable.Range(0, (int)batch * sharedSystem.Order).Select(_ => random.Normal()).ToArray(),
                [batch, sharedSystem.Order], ScalarType.Float64);
            var (ours, _) = shared.Solve(rhs, transpose);
            var (theirs, _) = reference.Solve(rhs, transpose);
            double difference = ((ours - theirs).abs().amax(1) / theirs.abs().amax(1)).max().item<double>();
            output.WriteLine($"P={withP} transpose {transpose}: relative difference {difference:E2}");
            Assert.True(difference <= 1e-12, $"shared and per-item solutions differ by {difference:G3}");
        }
    }

    /// <summary>
    /// Both solvers on a random right-hand side, plain and then transposed: the largest relative difference of their
    /// solutions, the residuals <paramref name="reduced"/> reports and those recomputed with the dense J, per item.
    /// </summary>
    private IEnumerable<(double Difference, Tensor Residual, Tensor Recomputed)> AgainstTheFullLu(ConeProgramPoint point, DerivativeSystem system,
        IDerivativeSolver reduced, RefinedBatchSolver full, int seed)
    {
        var dense = DenseJacobian(point);
        var random = new ProblemGenerator(seed);
        foreach (bool transpose in new[] { false, true })
        {
            var rhs = tensor(Enumerable.Range(0, (int)point.Batch * system.Order).Select(_ => random.Normal()).ToArray(),
                [point.Batch, system.Order], ScalarType.Float64);
            var (solution, residual) = reduced.Solve(rhs, transpose);
            var (reference, _) = full.Solve(rhs, transpose);
            double difference = ((solution - reference).abs().amax(1) / reference.abs().amax(1)).max().item<double>();
            var matrices = transpose ? dense.transpose(1, 2) : dense;
            var recomputed = (matrices.matmul(solution.unsqueeze(2)).squeeze(2) - rhs).abs().amax(1) / rhs.abs().amax(1);
            output.WriteLine($"transpose {transpose}: relative difference to the full LU {difference:E2}, " +
                $"residuals {string.Join(", ", residual.data<double>().ToArray().Select(r => r.ToString("E2")))}");
            yield return (difference, residual, recomputed);
        }
    }

    [Fact]
    public void AtAnInteriorPointSolution_OfRandomLps_UsesTheSquareForm_AndAgreesWithTheFullLu()
    {
        // Random LPs built like the benchmark's lp cases (gen_cones.py): A normal / √n, b = Ax₀ + s₀ and c = −Aᵀy₀ with
        // s₀ and y₀ interior, solved by the interior-point solver; there v_i is small but never 0, so D is 0 or 1 and
        // each generic LP sits at a vertex with n active rows.
        const int batch = 4, n = 30, zero = 5, nonnegative = 60, m = zero + nonnegative;
        var random = new ProblemGenerator(1230);
        var a = new double[batch * m * n];
        var b = new double[batch * m];
        var c = new double[batch * n];
        for (int item = 0; item < batch; item++)
        {
            for (int e = 0; e < m * n; e++) a[item * m * n + e] = random.Normal() / Math.Sqrt(n);
            var x0 = Enumerable.Range(0, n).Select(_ => random.Normal()).ToArray();
            var s0 = Enumerable.Range(0, m).Select(i => i < zero ? 0 : random.Uniform(0.5, 1.5)).ToArray();
            var y0 = Enumerable.Range(0, m).Select(i => i < zero ? random.Normal() : random.Uniform(0.5, 1.5)).ToArray();
            for (int i = 0; i < m; i++)
            {
                b[item * m + i] = s0[i];
                for (int j = 0; j < n; j++)
                {
                    b[item * m + i] += a[(item * m + i) * n + j] * x0[j];
                    c[item * n + j] -= a[(item * m + i) * n + j] * y0[i];
                }
            }
        }
        Cone[] cones = [new ZeroCone(zero), new NonnegativeCone(nonnegative)];
        var A = tensor(a, [batch, m, n], ScalarType.Float64);
        var solution = new ConeProgramSolver().Solve(A, tensor(b, [batch, m], ScalarType.Float64), tensor(c, [batch, n], ScalarType.Float64), cones);
        Assert.All(solution.Status, status => Assert.Equal(SolverStatus.Solved, status));
        var point = new ConeProgramPoint(cones, A, tensor(b, [batch, m], ScalarType.Float64), tensor(c, [batch, n], ScalarType.Float64), null,
            solution.X, solution.Y, solution.S);
        var system = Build(point);
        var reduced = new ActiveSetDerivativeSolver(system);
        var full = new RefinedBatchSolver(system);
        Assert.Equal(Enumerable.Repeat(n, batch), reduced.ReducedOrders);
        Assert.False(full.Singular.any().item<bool>());
        foreach (bool transpose in new[] { false, true })
        {
            var rhs = tensor(Enumerable.Range(0, batch * system.Order).Select(_ => random.Normal()).ToArray(), [batch, system.Order], ScalarType.Float64);
            var (solved, residual) = reduced.Solve(rhs, transpose);
            var (reference, fullResidual) = full.Solve(rhs, transpose);
            double difference = ((solved - reference).abs().amax(1) / reference.abs().amax(1)).max().item<double>();
            output.WriteLine($"transpose {transpose}: relative difference {difference:E2}, residual {residual.max().item<double>():E2} " +
                $"(full LU {fullResidual.max().item<double>():E2})");
            Assert.True(difference <= 1e-10, $"reduced and full solutions differ by {difference:G3}");
            Assert.True(residual.max().item<double>() <= 1e-12, "the full system's residual after refinement");
        }
    }

    [Fact]
    public void ATinyBoundCoefficient_LeavesTheItemToTheFullSystem()
    {
        // det S = ±Πα²·det S': with α = 1e-13 on x₀'s bound J is nearly singular while S' is not; the full system decides.
        var point = PlantedConePrograms.WithSingletonRows(Planted("QPBounds"), [(2, 0, -1e-13)], item: 2);
        var system = Build(point);
        var reduced = new ActiveSetDerivativeSolver(system);
        var full = new RefinedBatchSolver(system);
        Assert.Equal(new[] { 4, 4, 0 }, reduced.ReducedOrders);
        Assert.Equal(full.Singular.data<bool>().ToArray(), reduced.Singular.data<bool>().ToArray());
    }

    [Theory]
    [InlineData("SecondOrder")]
    [InlineData("SecondOrderOnly")]
    [InlineData("Mixed")]
    [InlineData("Psd")]
    [InlineData("Exponential")]
    public void ItemsWithGeneralSecondOrderPsdOrExponentialBlocks_AreReducedInDsEigenbasis(string family)
    {
        // Cone k of item i gets the pair kind (i + k) mod 3: every item has blocks whose D is neither 0 nor I.
        Cone[] cones = family switch
        {
            "SecondOrder" => [new ZeroCone(2), new NonnegativeCone(6), new SecondOrderCone(3), new SecondOrderCone(5), new SecondOrderCone(4)],
            "SecondOrderOnly" => [new SecondOrderCone(3), new SecondOrderCone(3), new SecondOrderCone(3)],
            "Psd" => [new PsdCone(3), new PsdCone(3), new PsdCone(3)],
            "Exponential" => [new ExponentialCone(2), new ExponentialCone(2), new ExponentialCone(2)],
            _ => [new ZeroCone(2), new NonnegativeCone(4), new SecondOrderCone(4), new PsdCone(3), new ExponentialCone(2)],
        };
        var point = PlantedConePrograms.Plant(cones, 20, batch: 3, seed: 1220 + family.Length);
        var system = Build(point);
        Assert.All(Enumerable.Range(0, 3), i => Assert.False(system.TryDiagonal(i, new double[system.Rows])));
        var full = new RefinedBatchSolver(system);
        Assert.False(full.Singular.any().item<bool>());
        var reduced = Assert.IsType<ActiveSetDerivativeSolver>(ActiveSetDerivativeSolver.Create(system));
        output.WriteLine($"reduced orders {string.Join(", ", reduced.ReducedOrders)} of N = {system.Order}");
        // Every item is rotated, general PSD blocks included (in their closed-form eigenbasis, PsdEigenbasis).
        Assert.All(Enumerable.Range(0, 3), i => Assert.True(DerivativeEigenbasis.Applies(system, i)));
        Assert.All(reduced.ReducedOrders, order => Assert.InRange(order, 1, system.Order - 1));
        Assert.False(reduced.Singular.any().item<bool>());

        foreach (var (difference, residual, recomputed) in AgainstTheFullLu(point, system, reduced, full, 1240 + family.Length))
        {
            Assert.True(difference <= 1e-11, $"reduced and full solutions differ by {difference:G3}");
            Assert.True(recomputed.max().item<double>() <= 1e-12, "J·z = r to rounding, by the dense J");
            for (int i = 0; i < point.Batch; i++)
                Assert.Equal(recomputed[i].item<double>(), residual[i].item<double>(), 1e-13);
        }
    }

    [Fact]
    public void ReducedSolves_DoNotDependOnWhatTheThreadFactorisedBefore()
    {
        // The per-item work arrays are the thread's and keep what the last item left: a batch factorised and solved
        // after a larger one (longer rows, more and larger blocks) must give what it gives first, up to the rounding
        // that BLAS varies with its arrays' alignment (a value left behind would show at the solution's scale).
        var small = Build(PlantedConePrograms.Plant([new ZeroCone(1), new SecondOrderCone(3), new ExponentialCone(2)], 4, batch: 3, seed: 1250));
        var large = Build(PlantedConePrograms.Plant(
            [new ZeroCone(2), new NonnegativeCone(6), new SecondOrderCone(5), new SecondOrderCone(4), new ExponentialCone(3)], 20, batch: 3, seed: 1251));
        var random = new ProblemGenerator(1252);
        var rhs = tensor(Enumerable.Range(0, 3 * small.Order).Select(_ => random.Normal()).ToArray(), [3, small.Order], ScalarType.Float64);
        double[] Solved(bool transpose) =>
            Assert.IsType<ActiveSetDerivativeSolver>(ActiveSetDerivativeSolver.Create(small)).Solve(rhs, transpose).Solution.data<double>().ToArray();
        var first = (Solved(false), Solved(true));
        var largeRhs = tensor(Enumerable.Range(0, 3 * large.Order).Select(_ => random.Normal()).ToArray(), [3, large.Order], ScalarType.Float64);
        var other = Assert.IsType<ActiveSetDerivativeSolver>(ActiveSetDerivativeSolver.Create(large));
        Assert.False(other.Solve(largeRhs, transpose: true).Solution.isnan().any().item<bool>());
        static double Difference(double[] a, double[] b) => a.Zip(b).Max(t => Math.Abs(t.First - t.Second)) / a.Max(Math.Abs);
        Assert.InRange(Difference(first.Item1, Solved(false)), 0, 1e-13);
        Assert.InRange(Difference(first.Item2, Solved(true)), 0, 1e-13);
    }
}
