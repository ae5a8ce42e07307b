using DiffOpt.Cones;
using DiffOpt.Native;
using DiffOpt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones;

/// <summary>
/// The derivative of a cone program's solution map at a planted solution (<see cref="ConeProgramDerivative"/>):
/// the adjoint identity, central differences of re-solved programs, float32, shared data, null and bad arguments,
/// and the least-squares fallback at a singular J.
/// </summary>
public class ConeProgramDerivativeTests(ITestOutputHelper output)
{
    /// <summary>
    /// Step t of the five-point central differences (f(−2t) − 8f(−t) + 8f(t) − f(2t)) / 12t of re-solved programs:
    /// truncation O(t⁴), and the QP solver's 1e-12 accuracy over t gives about 1e-8. (The three-point stencil at
    /// t = 1e-5 measured 1.1e-7 truncation on dA and 6e-7 solver noise on dc of the QP family, too close to 1e-6.)
    /// </summary>
    private const double Step = 1e-4;

    /// <summary>The five-point stencil: offsets in units of t and their weights (divided by 12t).</summary>
    private static readonly (double Offset, double Weight)[] Stencil = [(2, -1), (1, 8), (-1, -8), (-2, 1)];

    /// <summary>A family of programs: cones, n, and whether P is present (LP: n equals the active rows).</summary>
    private static (Cone[] Cones, int Variables, bool WithP) Family(string name) => name switch
    {
        "LP" => ([new ZeroCone(2), new NonnegativeCone(6)], 5, false),
        "QP" => ([new ZeroCone(2), new NonnegativeCone(7)], 6, true),
        "SOCP" => ([new SecondOrderCone(3), new SecondOrderCone(4), new NonnegativeCone(2)], 10, true),
        "SDP" => ([new PsdCone(3), new PsdCone(2), new ZeroCone(1)], 10, true),
        "Exp" => ([new ExponentialCone(3), new NonnegativeCone(1)], 10, true),
        "Mixed" => ([new ZeroCone(1), new NonnegativeCone(3), new SecondOrderCone(3), new PsdCone(2), new ExponentialCone(2)], 16, true),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static ConeProgramPoint Planted(string family, int batch, int seed, bool shared = false)
    {
        var (cones, n, withP) = Family(family);
        return PlantedConePrograms.Plant(cones, n, batch, seed, withP, sharedA: shared, sharedP: shared);
    }

    /// <summary>A standard-normal tensor shaped like <paramref name="like"/>.</summary>
    private static Tensor Normal(Tensor like, ProblemGenerator random) =>
        tensor(Enumerable.Range(0, (int)like.numel()).Select(_ => random.Normal()).ToArray(), like.shape, ScalarType.Float64).to(like.dtype);

    /// <summary>Σ u∘w over all entries (0 when either is null).</summary>
    private static double Inner(Tensor? u, Tensor? w) => u is null || w is null ? 0 : (u.to(ScalarType.Float64) * w.to(ScalarType.Float64)).sum().item<double>();

    /// <summary>max |a − e| / max(max |e|, max |a|, 1e-3).</summary>
    private static double Relative(Tensor actual, Tensor expected)
    {
        double scale = Math.Max(Math.Max(expected.abs().max().item<double>(), actual.abs().max().item<double>()), 1e-3);
        return (actual - expected).abs().max().item<double>() / scale;
    }

    /// <summary>
    /// |⟨Adjoint(g), d⟩ − ⟨g, Forward(d)⟩| / max of the two, for random d (all four inputs) and g; asserts and returns it.
    /// </summary>
    private double AssertAdjointIdentity(ConeProgramPoint point, ConeProgramDerivative derivative, ProblemGenerator random, double tolerance)
    {
        var (dA, db, dc) = (Normal(point.A, random), Normal(point.B, random), Normal(point.C, random));
        var dP = point.P is null ? null : Normal(point.P, random);
        var (gx, gy, gs) = (Normal(point.X, random), Normal(point.Y, random), Normal(point.S, random));
        var tangent = derivative.Forward(dA, db, dc, dP);
        var gradients = derivative.Adjoint(gx, gy, gs);
        AssertShapedLikeTheData(point, tangent, gradients);
        double forward = Inner(gx, tangent.DX) + Inner(gy, tangent.DY) + Inner(gs, tangent.DS);
        double reverse = Inner(gradients.A, dA) + Inner(gradients.B, db) + Inner(gradients.C, dc) + Inner(gradients.P, dP);
        double error = Math.Abs(forward - reverse) / Math.Max(Math.Abs(forward), Math.Abs(reverse));
        output.WriteLine($"<g, Forward(d)> = {forward:G17}, <Adjoint(g), d> = {reverse:G17}, relative error {error:E2}; " +
            $"solve residuals {tangent.Residual.max().item<double>():E2} / {gradients.Residual.max().item<double>():E2}");
        Assert.True(error <= tolerance, $"adjoint identity off by {error:G3} > {tolerance:G3}");
        return error;
    }

    /// <summary>Each result has its argument's shape and dtype (a shared argument's gradient is unbatched).</summary>
    private static void AssertShapedLikeTheData(ConeProgramPoint point, ConeProgramTangent tangent, ConeProgramGradients gradients)
    {
        foreach (var (result, data) in new[]
        {
            (tangent.DX, point.X), (tangent.DY, point.Y), (tangent.DS, point.S),
            (gradients.A, point.A), (gradients.B, point.B), (gradients.C, point.C),
        })
        {
            Assert.Equal(data.shape, result.shape);
            Assert.Equal(data.dtype, result.dtype);
        }
        Assert.Equal(point.P?.shape, gradients.P?.shape);
        Assert.Equal(new[] { point.Batch }, tangent.Residual.shape);
        Assert.Equal(new[] { point.Batch }, gradients.Residual.shape);
    }

    [Theory]
    [InlineData("LP", false)]
    [InlineData("QP", false)]
    [InlineData("QP", true)]
    [InlineData("SOCP", false)]
    [InlineData("SDP", false)]
    [InlineData("Exp", false)]
    [InlineData("Mixed", false)]
    [InlineData("Mixed", true)]
    public void Adjoint_IsTheTransposeOfForward_AtPlantedSolutions(string family, bool shared)
    {
        var random = new ProblemGenerator(900 + family.Length);
        for (int trial = 0; trial < 3; trial++)
        {
            var point = Planted(family, batch: 4, seed: 910 + 7 * trial + family.Length, shared);
            var derivative = point.Derivative();
            Assert.False(derivative.LeastSquares.any().item<bool>(), "a planted, strictly complementary point has a nonsingular J");
            AssertAdjointIdentity(point, derivative, random, 1e-10);
            double residual = derivative.Forward(null, Normal(point.B, random), null, null).Residual.max().item<double>();
            Assert.True(residual <= 1e-10, $"refined solve residual {residual:G3} at a regular point");
        }
    }

    [Theory]
    [InlineData("LP")]
    [InlineData("QP")]
    public void Forward_AndAdjoint_MatchCentralDifferences_OfQpSolverResolves(string family)
    {
        var point = Planted(family, batch: 3, seed: 930 + family.Length);
        var solved = ConeProgramReference.SolveWithQp(point);
        output.WriteLine($"QP reference vs planted solution: x {Relative(solved.X, point.X):E2}, y {Relative(solved.Y, point.Y):E2}");
        Assert.True(Relative(solved.X, point.X) <= 1e-9 && Relative(solved.Y, point.Y) <= 1e-9, "the QP reference's duals must be y");
        AssertMatchesCentralDifferences(point, ConeProgramReference.SolveWithQp, new ProblemGenerator(931));
    }

    [Fact]
    public void Forward_AndAdjoint_MatchCentralDifferences_WithVariablesFixedBySingleRows()
    {
        // Bounds and a fixing written as canonicalisation writes them: the active-set solver eliminates the variables they
        // fix, leaving a 2 × 2 random block A_K'R. Seeds 940 and 945 make that block nearly singular (derivatives
        // ~1e4, so the stencil's step already changes the active set); 942 keeps it well conditioned (derivatives ~500).
        var point = PlantedConePrograms.WithSingletonRows(Planted("QP", batch: 3, seed: 942), ActiveSetDerivativeSolverTests.BoundRows);
        var solved = ConeProgramReference.SolveWithQp(point);
        output.WriteLine($"QP reference vs planted solution: x {Relative(solved.X, point.X):E2}, y {Relative(solved.Y, point.Y):E2}");
        Assert.True(Relative(solved.X, point.X) <= 1e-9 && Relative(solved.Y, point.Y) <= 1e-9, "the QP reference's duals must be y");
        AssertMatchesCentralDifferences(point, ConeProgramReference.SolveWithQp, new ProblemGenerator(941));
    }

    [Theory]
    [InlineData("SOCP")]
    [InlineData("SDP")]
    [InlineData("Exp")]
    [InlineData("Mixed")]
    public void Forward_AndAdjoint_MatchCentralDifferences_OfSquareProgramResolves(string family)
    {
        var (cones, _, _) = Family(family);
        int m = cones.Sum(c => c.Rows);
        var point = PlantedConePrograms.Plant(cones, m, batch: 3, seed: 950 + family.Length, noise: 0.1, diagonal: 1);
        var solved = ConeProgramReference.SolveSquare(point, zeros_like(point.S));
        output.WriteLine($"projected gradient vs planted solution: x {Relative(solved.X, point.X):E2}, y {Relative(solved.Y, point.Y):E2}");
        Assert.True(Relative(solved.X, point.X) <= 1e-10 && Relative(solved.Y, point.Y) <= 1e-10, "the reference must find the planted solution");
        AssertMatchesCentralDifferences(point, p => ConeProgramReference.SolveSquare(p, point.S.repeat(p.Batch / point.Batch, 1)),
            new ProblemGenerator(951));
    }

    /// <summary>
    /// For one random direction of each input (A, b, c, P when present): Forward's (dx, dy, ds) and the adjoint's
    /// ⟨∇, d⟩ for a random loss against central differences of <paramref name="solve"/> (all perturbed programs solved
    /// as one batch; five-point stencil), each to 1e-6 relative. <paramref name="rowDirection"/>, when given, maps the
    /// random directions of A and b (rows along dimension 1) to admissible ones; without <paramref name="withDuals"/>
    /// the loss has no y term and dy is not compared (for programs whose y is not unique).
    /// </summary>
    private void AssertMatchesCentralDifferences(ConeProgramPoint point, Func<ConeProgramPoint, ReferenceConeSolution> solve, ProblemGenerator random,
        Func<Tensor, Tensor>? rowDirection = null, bool withDuals = true)
    {
        var derivative = point.Derivative();
        var (gx, gy, gs) = (Normal(point.X, random), withDuals ? Normal(point.Y, random) : null, Normal(point.S, random));
        var gradients = derivative.Adjoint(gx, gy, gs);
        rowDirection ??= direction => direction;
        var inputs = new List<(string Name, Tensor Direction)>
        {
            ("A", rowDirection(Normal(point.A, random))), ("b", rowDirection(Normal(point.B, random))), ("c", Normal(point.C, random)),
        };
        if (point.P is not null)
        {
            var d = Normal(point.P, random);
            inputs.Add(("P", d.Plus(d.transpose(-1, -2)).Times(0.5)));
        }
        var perturbed = new List<ConeProgramPoint>();
        foreach (var (name, direction) in inputs)
            foreach (var (offset, _) in Stencil)
                perturbed.Add(Perturb(point, name, direction.Times(offset * Step)));
        var all = perturbed[0] with
        {
            A = cat(perturbed.Select(p => p.A).ToArray()),
            B = cat(perturbed.Select(p => p.B).ToArray()),
            C = cat(perturbed.Select(p => p.C).ToArray()),
            P = point.P is null ? null : cat(perturbed.Select(p => p.P!).ToArray()),
        };
        var solution = solve(all);
        long batch = point.Batch;
        for (int k = 0; k < inputs.Count; k++)
        {
            var (name, direction) = inputs[k];
            Tensor Difference(Tensor t) => Stencil
                .Select((entry, j) => t.narrow(0, (Stencil.Length * k + j) * batch, batch).Times(entry.Weight))
                .Aggregate((sum, term) => sum.Plus(term)).DividedBy(12 * Step);
            var tangent = name switch
            {
                "A" => derivative.Forward(direction, null, null, null),
                "b" => derivative.Forward(null, direction, null, null),
                "c" => derivative.Forward(null, null, direction, null),
                _ => derivative.Forward(null, null, null, direction),
            };
            var (dx, dy, ds) = (Difference(solution.X), Difference(solution.Y), Difference(solution.S));
            double loss = Inner(gx, dx) + Inner(gy, dy) + Inner(gs, ds);
            double adjoint = name switch
            {
                "A" => Inner(gradients.A, direction),
                "b" => Inner(gradients.B, direction),
                "c" => Inner(gradients.C, direction),
                _ => Inner(gradients.P, direction),
            };
            double adjointError = Math.Abs(adjoint - loss) / Math.Max(Math.Max(Math.Abs(adjoint), Math.Abs(loss)), 1e-3);
            var errors = new[] { Relative(tangent.DX, dx), withDuals ? Relative(tangent.DY, dy) : 0, Relative(tangent.DS, ds), adjointError };
            output.WriteLine($"d{name}: dx {errors[0]:E2}, dy {errors[1]:E2}, ds {errors[2]:E2}, <grad, d> {errors[3]:E2} " +
                $"(|<grad, d>| = {Math.Abs(loss):G4})");
            Assert.True(errors.Max() <= 1e-6, $"d{name}: derivative differs from central differences by {errors.Max():G3}");
        }
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(1e-13, 0.0)]
    [InlineData(0.0, 1e-13)]
    public void Forward_AndAdjoint_MatchCentralDifferences_AtADegenerateRow(double dual, double slack)
    {
        // The LP family (n = 5; active rows: the zero cone's 0 and 1, the nonnegative cone's 2, 4 and 6) with its
        // inactive row 3 replaced by a copy of the active row 2 at s₃ = slack, y₃ = dual: s₃ and y₃ both about 0, six
        // active rows for five variables. D reads row 3 as ½ (v₃ = 0: kept in the reduced system), 1 (v₃ > 0: J is
        // singular, least squares of the full J) or 0 (v₃ < 0: eliminated). Directions that keep the copy (row 3 of dA
        // and db equal to row 2) leave x differentiable; y₂ + y₃ is unique but not the split, so the loss has no y term.
        var point = Planted("LP", batch: 3, seed: 945);
        const int copy = 3, of = 2;
        var row = tensor(new long[] { copy });
        Tensor Copied(Tensor t) => t.index_copy(1, row, t.narrow(1, of, 1));
        Tensor Set(Tensor t, double value) =>
            t.index_copy(1, row, tensor(Enumerable.Repeat(value, (int)point.Batch).ToArray(), [point.Batch, 1], ScalarType.Float64));
        point = PlantedConePrograms.Replant(point with { A = Copied(point.A) }, Set(point.S, slack), Set(point.Y, dual));
        var derivative = point.Derivative();
        output.WriteLine($"least squares per item: {string.Join(", ", derivative.LeastSquares.data<bool>().ToArray())}");
        Assert.Equal(dual > 0, derivative.LeastSquares.any().item<bool>());
        AssertMatchesCentralDifferences(point, ConeProgramReference.SolveWithQp, new ProblemGenerator(946),
            Copied, withDuals: false);
    }

    private static ConeProgramPoint Perturb(ConeProgramPoint point, string name, Tensor delta)
    {
        long batch = point.Batch;
        return name switch
        {
            "A" => point with { A = point.A.expand(batch, point.Rows, point.Variables).Plus(delta) },
            "b" => point with { B = point.B.Plus(delta) },
            "c" => point with { C = point.C.Plus(delta) },
            _ => point with { P = point.P!.expand(batch, point.Variables, point.Variables).Plus(delta) },
        };
    }

    [Theory]
    [InlineData("SOCP")]
    [InlineData("SDP")]
    [InlineData("Exp")]
    [InlineData("Mixed")]
    public void Forward_OfTheProjectionProgram_IsMinusTheProjectionsDerivative(string family)
    {
        // minimize ½‖x − a‖² s.t. x ∈ K as A = −I, b = 0, P = I, c = −a: x = Π_K(a), s = x, y = x − a = Π_K*(−a).
        // Along dc: dx = ds = −DΠ_K(a)·dc and dy = dx + dc, compared with central differences of the projection.
        var (cones, _, _) = Family(family);
        var cone = new CompositeCone(cones);
        int m = cone.Rows, batch = 5;
        var random = new ProblemGenerator(970 + family.Length);
        var a = Normal(zeros(batch, m, dtype: ScalarType.Float64), random).Times(2L);
        var x = cone.Project(a);
        var identity = eye(m, dtype: ScalarType.Float64);
        var point = new ConeProgramPoint(cones, -identity, zeros(batch, m, dtype: ScalarType.Float64), -a, identity, x, x - a, x);
        var derivative = point.Derivative();
        var direction = Normal(a, random);
        double step = 1e-6 * Math.Max(1, a.abs().max().item<double>());
        var projectionDifference = (cone.Project(a - direction.Times(step)) - cone.Project(a.Plus(direction.Times(step)))).DividedBy(2 * step);
        var tangent = derivative.Forward(null, null, direction, null);
        var errors = new[]
        {
            Relative(tangent.DX, projectionDifference), Relative(tangent.DS, projectionDifference),
            Relative(tangent.DY, projectionDifference.Plus(direction)),
        };
        double closedForm = Relative(tangent.DX, -cone.ProjectDerivative(a).Apply(direction));
        output.WriteLine($"dx {errors[0]:E2}, ds {errors[1]:E2}, dy {errors[2]:E2} vs differences; dx {closedForm:E2} vs −DΠ_K(a)·dc; " +
            $"residual {tangent.Residual.max().item<double>():E2}");
        Assert.True(errors.Max() <= 1e-6, $"projection program: off by {errors.Max():G3}");
        Assert.True(closedForm <= 1e-12, $"projection program: dx differs from −DΠ_K(a)·dc by {closedForm:G3}");
        AssertAdjointIdentity(point, derivative, random, 1e-10);
    }

    [Fact]
    public void Forward_WithoutConstraints_IsTheUnconstrainedQpsDerivative()
    {
        // No cones (m = 0): x = −P⁻¹c, so dx = −P⁻¹(dc + dP·x) and ∇c = −P⁻¹gx.
        const int n = 4, batch = 3;
        var random = new ProblemGenerator(975);
        var root = Normal(zeros(batch, n, n, dtype: ScalarType.Float64), random);
        var p = root.matmul(root.transpose(1, 2)).Plus(eye(n, dtype: ScalarType.Float64));
        var c = Normal(zeros(batch, n, dtype: ScalarType.Float64), random);
        var x = -linalg.solve(p, c.unsqueeze(2)).squeeze(2);
        var empty = zeros(batch, 0, dtype: ScalarType.Float64);
        var derivative = new ConeProgramDerivative([], zeros(batch, 0, n, dtype: ScalarType.Float64), empty, c, p, x, empty, empty);
        var (dc, dP, gx) = (Normal(c, random), Normal(p, random), Normal(x, random));
        var symmetric = dP.Plus(dP.transpose(1, 2)).Times(0.5);
        var expected = -linalg.solve(p, dc.Plus(symmetric.matmul(x.unsqueeze(2)).squeeze(2)).unsqueeze(2)).squeeze(2);
        var tangent = derivative.Forward(null, null, dc, dP);
        var gradients = derivative.Adjoint(gx, null, null);
        double forward = Relative(tangent.DX, expected);
        double reverse = Relative(gradients.C, -linalg.solve(p, gx.unsqueeze(2)).squeeze(2));
        output.WriteLine($"dx vs −P⁻¹(dc + dP·x): {forward:E2}; ∇c vs −P⁻¹gx: {reverse:E2}");
        Assert.True(forward <= 1e-13 && reverse <= 1e-13, $"unconstrained QP derivative off by {Math.Max(forward, reverse):G3}");
        Assert.Equal(new[] { (long)batch, 0L }, tangent.DY.shape);
    }

    [Fact]
    public void Float32_GivesFloat32Results_MatchingFloat64OnTheSameData()
    {
        var rounded = Planted("Mixed", batch: 3, seed: 980).To(ScalarType.Float32);
        var exact = rounded.To(ScalarType.Float64);
        var random = new ProblemGenerator(981);
        var (dA, db, dc, dP) = (Normal(exact.A, random), Normal(exact.B, random), Normal(exact.C, random), Normal(exact.P!, random));
        var (gx, gy, gs) = (Normal(exact.X, random), Normal(exact.Y, random), Normal(exact.S, random));
        var single = rounded.Derivative();
        var tangent = single.Forward(dA.to(ScalarType.Float32), db.to(ScalarType.Float32), dc.to(ScalarType.Float32), dP.to(ScalarType.Float32));
        var gradients = single.Adjoint(gx.to(ScalarType.Float32), gy.to(ScalarType.Float32), gs.to(ScalarType.Float32));
        var reference = exact.Derivative();
        var exactTangent = reference.Forward(dA.to(ScalarType.Float32).to(ScalarType.Float64), db.to(ScalarType.Float32).to(ScalarType.Float64),
            dc.to(ScalarType.Float32).to(ScalarType.Float64), dP.to(ScalarType.Float32).to(ScalarType.Float64));
        var exactGradients = reference.Adjoint(gx.to(ScalarType.Float32).to(ScalarType.Float64), gy.to(ScalarType.Float32).to(ScalarType.Float64),
            gs.to(ScalarType.Float32).to(ScalarType.Float64));
        var pairs = new (string What, Tensor Single, Tensor Double)[]
        {
            ("dx", tangent.DX, exactTangent.DX), ("dy", tangent.DY, exactTangent.DY), ("ds", tangent.DS, exactTangent.DS),
            ("grad A", gradients.A, exactGradients.A), ("grad b", gradients.B, exactGradients.B),
            ("grad c", gradients.C, exactGradients.C), ("grad P", gradients.P!, exactGradients.P!),
        };
        foreach (var (what, result, expected) in pairs)
        {
            Assert.Equal(ScalarType.Float32, result.dtype);
            double error = Relative(result.to(ScalarType.Float64), expected);
            output.WriteLine($"float32 {what}: relative error {error:E2}");
            Assert.True(error <= 1e-6, $"float32 {what} off by {error:G3}");
        }
        Assert.Equal(ScalarType.Float64, tangent.Residual.dtype);
        Assert.True(tangent.Residual.max().item<double>() <= 1e-13, "float32 data are solved in float64");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AdjointAtEntries_IsTheDenseGradient_ReadAtThoseEntries(bool shared)
    {
        var point = Planted("Mixed", batch: 3, seed: 987, shared: shared);
        long m = point.Rows, n = point.Variables;
        var random = new ProblemGenerator(988);
        var (gx, gy, gs) = (Normal(point.X, random), Normal(point.Y, random), Normal(point.S, random));
        // Every other entry of A and a few of P, in no particular order, with a repeat.
        var aFlat = Enumerable.Range(0, (int)(m * n)).Where(e => e % 2 == 0).Reverse().Append(0).Select(e => (long)e).ToArray();
        var pFlat = new long[] { 0, n + 1, 2 * n - 1, n * n - 1 };
        MatrixEntries Entries(long[] flat, long columns) =>
            new(tensor(flat.Select(e => e / columns).ToArray()), tensor(flat.Select(e => e % columns).ToArray()));

        var derivative = point.Derivative();
        var dense = derivative.Adjoint(gx, gy, gs);
        var sparse = derivative.Adjoint(gx, gy, gs, Entries(aFlat, n), Entries(pFlat, n));
        Tensor Read(Tensor full, long[] flat) => full.flatten(full.dim() - 2).index_select(full.dim() - 2, tensor(flat));
        Assert.Equal(Read(dense.A, aFlat).shape, sparse.A.shape);
        Assert.True(Relative(sparse.A, Read(dense.A, aFlat)) <= 1e-14, "∇A at the entries");
        Assert.True(Relative(sparse.P!, Read(dense.P!, pFlat)) <= 1e-14, "∇P at the entries");
        Assert.True(Relative(sparse.B, dense.B) <= 1e-14 && Relative(sparse.C, dense.C) <= 1e-14);
    }

    [Fact]
    public void DenseGradientOfA_IsTheRankTwoProduct_OfTheGradientsOfBAndC_WhenItFillsMegabytes()
    {
        // ∇A = −(y·u_xᵀ + u_v·xᵀ) with ∇c = −u_x and ∇b = u_v, so ∇A = y·∇cᵀ − ∇b·xᵀ per item; B·m·n·8 bytes ≥ 2 MiB
        // puts ∇A in memory mapped in beforehand (FreshPages).
        var point = Planted("LP", batch: 6600, seed: 983);
        Assert.True(point.Batch * point.Rows * point.Variables * sizeof(double) >= FreshPages.MinimumBytes);
        var random = new ProblemGenerator(984);
        var gradients = point.Derivative().Adjoint(Normal(point.X, random), Normal(point.Y, random), Normal(point.S, random));
        var expected = point.Y.unsqueeze(2) * gradients.C.unsqueeze(1) - gradients.B.unsqueeze(2) * point.X.unsqueeze(1);
        Assert.Equal(expected.shape, gradients.A.shape);
        Assert.True(Relative(gradients.A, expected) <= 1e-14, "∇A = y·∇cᵀ − ∇b·xᵀ");
    }

    [Fact]
    public void SharedData_AreBroadcast_AndTheirGradientsSummedOverTheBatch()
    {
        var shared = Planted("Mixed", batch: 3, seed: 985, shared: true);
        Assert.Equal(2, shared.A.dim());
        Assert.Equal(2, shared.P!.dim());
        long b = shared.Batch, m = shared.Rows, n = shared.Variables;
        var batched = shared with { A = shared.A.expand(b, m, n).clone(), P = shared.P.expand(b, n, n).clone() };
        var random = new ProblemGenerator(986);
        var (dA, dP, db) = (Normal(shared.A, random), Normal(shared.P, random), Normal(shared.B, random));
        var (gx, gy, gs) = (Normal(shared.X, random), Normal(shared.Y, random), Normal(shared.S, random));

        var one = shared.Derivative();
        var each = batched.Derivative();
        var gradients = one.Adjoint(gx, gy, gs);
        var perItem = each.Adjoint(gx, gy, gs);
        Assert.Equal(new[] { m, n }, gradients.A.shape);
        Assert.Equal(new[] { n, n }, gradients.P!.shape);
        Assert.True(Relative(gradients.A, perItem.A.sum(dim: 0)) <= 1e-14, "shared A: gradient is the sum over the items");
        Assert.True(Relative(gradients.P, perItem.P!.sum(dim: 0)) <= 1e-14, "shared P: gradient is the sum over the items");
        Assert.True(Relative(gradients.C, perItem.C) <= 1e-14);

        // A shared direction acts on every item, like its batched copy.
        var tangent = one.Forward(dA, db, null, dP);
        var expanded = each.Forward(dA.expand(b, m, n), db, null, dP.expand(b, n, n));
        Assert.True(Relative(tangent.DX, expanded.DX) <= 1e-14 && Relative(tangent.DY, expanded.DY) <= 1e-14);
    }

    [Fact]
    public void NullDirectionsAndGradients_AreZero_AndAbsentPHasNoGradient()
    {
        var point = Planted("LP", batch: 2, seed: 990);
        var derivative = point.Derivative();
        var random = new ProblemGenerator(991);
        var dc = Normal(point.C, random);
        var gy = Normal(point.Y, random);

        var tangent = derivative.Forward(null, null, dc, null);
        var withZeros = derivative.Forward(zeros_like(point.A), zeros_like(point.B), dc, null);
        // Equal up to rounding: MKL rounds by buffer alignment.
        Assert.True(Relative(tangent.DX, withZeros.DX) <= 1e-14 && Relative(tangent.DY, withZeros.DY) <= 1e-14);
        var gradients = derivative.Adjoint(null, gy, null);
        var gradientsWithZeros = derivative.Adjoint(zeros_like(point.X), gy, zeros_like(point.S));
        Assert.True(Relative(gradients.A, gradientsWithZeros.A) <= 1e-14 && Relative(gradients.B, gradientsWithZeros.B) <= 1e-14);
        Assert.Null(gradients.P);

        var nothing = derivative.Forward(null, null, null, null);
        Assert.Equal(0.0, nothing.DX.abs().max().item<double>());
        Assert.Equal(0.0, nothing.Residual.abs().max().item<double>());
        Assert.Equal(0.0, derivative.Adjoint(null, null, null).A.abs().max().item<double>());
    }

    [Theory]
    [InlineData("Exp")]
    [InlineData("Mixed")]
    public void Adjoint_WithSomeLossGradientsNull_EqualsItWithZerosInTheirPlace(string family)
    {
        // The adjoint leaves out the terms of D·(gy + gs) − gs whose gradient is null (no product with D for a loss of x
        // alone); each pattern of nulls must give what zeros in their place give through the whole formula.
        var point = Planted(family, batch: 3, seed: 995);
        var derivative = point.Derivative();
        var random = new ProblemGenerator(996);
        var (gx, gy, gs) = (Normal(point.X, random), Normal(point.Y, random), Normal(point.S, random));
        foreach (var (dual, slack) in new[] { (false, false), (true, false), (false, true) })
        {
            var withNulls = derivative.Adjoint(gx, dual ? gy : null, slack ? gs : null);
            var withZeros = derivative.Adjoint(gx, dual ? gy : zeros_like(gy), slack ? gs : zeros_like(gs));
            Assert.True(Relative(withNulls.A, withZeros.A) <= 1e-14, $"gy {dual}, gs {slack}: ∇A differs");
            Assert.True(Relative(withNulls.B, withZeros.B) <= 1e-14, $"gy {dual}, gs {slack}: ∇b differs");
            Assert.True(Relative(withNulls.C, withZeros.C) <= 1e-14, $"gy {dual}, gs {slack}: ∇c differs");
            Assert.True(withNulls.B.abs().max().item<double>() > 0, "the loss reaches b");
        }
    }

    [Theory]
    [InlineData("cones")]
    [InlineData("A")]
    [InlineData("b")]
    [InlineData("c")]
    [InlineData("P")]
    [InlineData("x")]
    [InlineData("y")]
    [InlineData("s")]
    public void Construction_ThrowsNamingTheArgument_WhenItsShapeOrDtypeIsWrong(string argument)
    {
        var p = Planted("QP", batch: 2, seed: 995);
        Func<ConeProgramDerivative> wrong = argument switch
        {
            "cones" => () => new ConeProgramDerivative([new ZeroCone(2)], p.A, p.B, p.C, p.P, p.X, p.Y, p.S),
            "A" => () => new ConeProgramDerivative(p.Cones, p.A.unsqueeze(0), p.B, p.C, p.P, p.X, p.Y, p.S),
            "b" => () => new ConeProgramDerivative(p.Cones, p.A, p.B.narrow(1, 0, 3), p.C, p.P, p.X, p.Y, p.S),
            "c" => () => new ConeProgramDerivative(p.Cones, p.A, p.B, p.C.to(ScalarType.Float32), p.P, p.X, p.Y, p.S),
            "P" => () => new ConeProgramDerivative(p.Cones, p.A, p.B, p.C, p.P!.narrow(0, 0, 1), p.X, p.Y, p.S),
            "x" => () => new ConeProgramDerivative(p.Cones, p.A, p.B, p.C, p.P, p.Y, p.Y, p.S),
            "y" => () => new ConeProgramDerivative(p.Cones, p.A, p.B, p.C, p.P, p.X, p.Y.narrow(0, 0, 1), p.S),
            "s" => () => new ConeProgramDerivative(p.Cones, p.A, p.B, p.C, p.P, p.X, p.Y, null!),
            _ => throw new ArgumentOutOfRangeException(nameof(argument)),
        };
        var error = Assert.ThrowsAny<ArgumentException>(wrong);
        output.WriteLine(error.Message);
        Assert.Equal(argument, error.ParamName);
    }

    [Theory]
    [InlineData("dA")]
    [InlineData("db")]
    [InlineData("dc")]
    [InlineData("dP")]
    [InlineData("gx")]
    [InlineData("gy")]
    [InlineData("gs")]
    public void ForwardAndAdjoint_ThrowNamingTheArgument_WhenItsShapeOrDtypeIsWrong(string argument)
    {
        var p = Planted("QP", batch: 2, seed: 996);
        var derivative = p.Derivative();
        Action wrong = argument switch
        {
            "dA" => () => derivative.Forward(p.A.transpose(1, 2), null, null, null),
            "db" => () => derivative.Forward(null, p.C, null, null),
            "dc" => () => derivative.Forward(null, null, p.C.narrow(0, 0, 1), null),
            "dP" => () => derivative.Forward(null, null, null, p.P!.to(ScalarType.Float32)),
            "gx" => () => derivative.Adjoint(p.Y, null, null),
            "gy" => () => derivative.Adjoint(null, p.Y.unsqueeze(0), null),
            "gs" => () => derivative.Adjoint(null, null, p.S.to(ScalarType.Float32)),
            _ => throw new ArgumentOutOfRangeException(nameof(argument)),
        };
        var error = Assert.Throws<ArgumentException>(wrong);
        output.WriteLine(error.Message);
        Assert.Equal(argument, error.ParamName);
    }

    [Fact]
    public void SingularJ_FallsBackToLeastSquares_PerItem_WithoutNaN()
    {
        // An LP with n = 2 and three active rows (even rows of one nonnegative cone): LICQ fails, J is singular.
        // Item 1 is made regular by turning its row 2 inactive (two active rows, n = 2).
        var point = PlantedConePrograms.Plant([new NonnegativeCone(6)], variables: 2, batch: 2, seed: 997, withP: false);
        var s = point.S.clone();
        var y = point.Y.clone();
        s[1, 2] = tensor(1.0);
        y[1, 2] = tensor(0.0);
        point = PlantedConePrograms.Replant(point, s, y);
        var derivative = point.Derivative();
        Assert.Equal(new[] { true, false }, derivative.LeastSquares.data<bool>().ToArray());

        var random = new ProblemGenerator(998);
        var (dA, db, dc) = (Normal(point.A, random), Normal(point.B, random), Normal(point.C, random));
        var (gx, gy, gs) = (Normal(point.X, random), Normal(point.Y, random), Normal(point.S, random));
        var tangent = derivative.Forward(dA, db, dc, null);
        var gradients = derivative.Adjoint(gx, gy, gs);
        foreach (var t in new[] { tangent.DX, tangent.DY, tangent.DS, tangent.Residual, gradients.A, gradients.B, gradients.C, gradients.Residual })
            Assert.True(t.isfinite().all().item<bool>(), "least-squares results must be finite");
        output.WriteLine($"residuals: forward {string.Join(", ", tangent.Residual.data<double>().ToArray().Select(r => r.ToString("E2")))}, " +
            $"adjoint {string.Join(", ", gradients.Residual.data<double>().ToArray().Select(r => r.ToString("E2")))}");

        // The regular item is unaffected by its singular neighbour.
        var alone = (point with
        {
            A = point.A.narrow(0, 1, 1),
            B = point.B.narrow(0, 1, 1),
            C = point.C.narrow(0, 1, 1),
            X = point.X.narrow(0, 1, 1),
            Y = point.Y.narrow(0, 1, 1),
            S = point.S.narrow(0, 1, 1),
        }).Derivative();
        var aloneTangent = alone.Forward(dA.narrow(0, 1, 1), db.narrow(0, 1, 1), dc.narrow(0, 1, 1), null);
        Assert.True(Relative(tangent.DX.narrow(0, 1, 1), aloneTangent.DX) <= 1e-14);
        Assert.True(tangent.Residual[1].item<double>() <= 1e-14);

        // J⁺ and (Jᵀ)⁺ are transposes: the least-squares derivative keeps the adjoint identity.
        AssertAdjointIdentity(point, derivative, random, 1e-10);
    }
}
