using DiffOpt.Cones;
using DiffOpt.LinearAlgebra;
using DiffOpt.Native;
using DiffOpt.Numerics;

namespace DiffOpt.Tests.Cones.Kernel;

/// <summary>
/// The BLAS/LAPACK pieces of the CPU cone kernel against managed loops written from the definitions: the products
/// (<see cref="NativeBlas.Gemv"/>, <see cref="NativeBlas.GramLower"/>), the blocked factorisation of a quasi-definite
/// matrix (<see cref="QuasiDefiniteCholesky"/>) against the unpivoted LDLᵀ and its residual, and the reduced KKT solve
/// of <see cref="ItemKkt"/> with and without BLAS on the same item.
/// </summary>
public class NativeKktTests
{
    private static double[] Random(Random random, int length) =>
        Enumerable.Range(0, length).Select(_ => random.NextDouble() * 2 - 1).ToArray();

    [Fact]
    public void Gemv_MatchesTheDefinition_PlainAndTransposed()
    {
        Assert.True(NativeBlas.IsAvailable);
        var random = new Random(3);
        int rows = 7, columns = 5;
        var a = Random(random, rows * columns);
        var x = Random(random, columns);
        var u = Random(random, rows);
        var y = Random(random, rows);
        var expected = y.Select((v, i) => 0.5 * v + 2 * Enumerable.Range(0, columns).Sum(j => a[i * columns + j] * x[j])).ToArray();
        NativeBlas.Gemv(a, rows, columns, columns, transpose: false, 2, x, 0.5, y);
        Assert.Equal(expected, y, (p, q) => Math.Abs(p - q) < 1e-13);

        var z = new double[columns];
        NativeBlas.Gemv(a, rows, columns, columns, transpose: true, -1, u, 0, z);
        var expectedT = Enumerable.Range(0, columns).Select(j => -Enumerable.Range(0, rows).Sum(i => a[i * columns + j] * u[i])).ToArray();
        Assert.Equal(expectedT, z, (p, q) => Math.Abs(p - q) < 1e-13);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GramLower_MatchesTheDefinition(bool outer)
    {
        var random = new Random(5);
        int rows = 9, columns = 4, order = outer ? rows : columns, ldc = order + 2;
        var g = Random(random, rows * columns);
        var c = new double[order * ldc];
        NativeBlas.GramLower(g, rows, columns, columns, outer, 1, 0, c, ldc);
        for (int i = 0; i < order; i++)
            for (int j = 0; j <= i; j++)
            {
                double expected = outer
                    ? Enumerable.Range(0, columns).Sum(k => g[i * columns + k] * g[j * columns + k])
                    : Enumerable.Range(0, rows).Sum(k => g[k * columns + i] * g[k * columns + j]);
                Assert.True(Math.Abs(c[i * ldc + j] - expected) < 1e-13, $"({i},{j}): {c[i * ldc + j]} vs {expected}");
            }
    }

    [Theory]
    [InlineData(6, 0, 0)]
    [InlineData(6, 3, 0)]
    [InlineData(40, 12, 0)]
    [InlineData(40, 12, 3)]   // every third variable isolated: the split factorisation
    [InlineData(33, 3, 1)]    // all isolated (K₁₁ diagonal)
    [InlineData(36, 0, 2)]
    [InlineData(9, 2, 2)]     // below the split order: the whole block
    public void QuasiDefiniteCholesky_SolvesLikeTheLdl_WithASmallResidual(int n, int e, int isolatedEvery)
    {
        var random = new Random(n + e + isolatedEvery);
        var g = Random(random, (n + 3) * n);
        var b = Random(random, e * n);
        const double delta = 1e-3;
        // K₁₁ = GᵀG + I (positive definite), the full K for the residual and the LDLᵀ.
        var k11 = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                k11[i * n + j] = Enumerable.Range(0, n + 3).Sum(r => g[r * n + i] * g[r * n + j]) + (i == j ? 1 : 0);
        // Isolated variables: no off-diagonal entry in their row and column of K₁₁.
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (i != j && isolatedEvery > 0 && (i % isolatedEvery == 0 || j % isolatedEvery == 0)) k11[i * n + j] = 0;
        int order = n + e;
        var k = new double[order * order];
        for (int i = 0; i < order; i++)
            for (int j = 0; j < order; j++)
                k[i * order + j] = i < n && j < n ? k11[i * n + j]
                    : i >= n && j < n ? b[(i - n) * n + j]
                    : i < n ? b[(j - n) * n + i]
                    : i == j ? -delta : 0;
        var blocked = new QuasiDefiniteCholesky(n, e);
        k11.CopyTo(blocked.Leading);
        b.CopyTo(blocked.Coupling);
        Assert.True(blocked.Factor(delta));
        var ldl = new QuasiDefiniteLdl(order);
        k.CopyTo(ldl.Matrix);
        Assert.True(ldl.Factor(n));
        Assert.Equal(0, ldl.Regularized);

        var rhs = Random(random, order);
        var x = (double[])rhs.Clone();
        blocked.Solve(x);
        var reference = (double[])rhs.Clone();
        ldl.Solve(reference);
        double residual = Enumerable.Range(0, order).Max(i => Math.Abs(Enumerable.Range(0, order).Sum(j => k[i * order + j] * x[j]) - rhs[i]));
        Assert.True(residual < 1e-11, $"residual {residual}");
        Assert.Equal(reference, x, (p, q) => Math.Abs(p - q) < 1e-9 * (1 + Math.Abs(q)));
    }

    [Theory]
    [InlineData(40, 12, 1, 1e-3)]      // K₁₁ positive definite: the same solution as the LDLᵀ
    [InlineData(50, 10, 1e-8, 1e-8)]   // K₁₁ of rank 40 at weight 1e8 plus 1e-8·I: only the eliminated order factorises it
    public void QuasiDefiniteCholesky_FactorEliminated_SolvesK(int n, int e, double floor, double delta)
    {
        // K₁₁ = 1e8·GᵀG + floor·I for G of n − e rows when floor is tiny (a linear program's reduced matrix at a vertex,
        // the zero-cone rows B spanning what G leaves, δ as in the cone kernel), else GᵀG + I.
        var random = new Random(n + e);
        bool vertex = floor < 1;
        int rows = vertex ? n - e : n + 3;
        double weight = vertex ? 1e8 : 1;
        var g = Random(random, rows * n);
        var b = Random(random, e * n);
        var k11 = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                k11[i * n + j] = weight * Enumerable.Range(0, rows).Sum(r => g[r * n + i] * g[r * n + j]) + (i == j ? floor : 0);
        var blocked = new QuasiDefiniteCholesky(n, e);
        if (vertex)
        {
            k11.CopyTo(blocked.Leading);
            b.CopyTo(blocked.Coupling);
            Assert.False(blocked.Factor(delta), "K₁₁'s own factorisation succeeded: no breakdown to exercise");
        }
        k11.CopyTo(blocked.Leading);
        b.CopyTo(blocked.Coupling);
        Assert.True(blocked.FactorEliminated(delta));
        int order = n + e;
        double Entry(int i, int j) => i < n && j < n ? k11[i * n + j]
            : i >= n && j < n ? b[(i - n) * n + j]
            : i < n ? b[(j - n) * n + i]
            : i == j ? -delta : 0;
        var rhs = Random(random, order);
        var x = (double[])rhs.Clone();
        blocked.Solve(x);
        // Componentwise backward error |Kx − r|ᵢ / (|K||x| + |r|)ᵢ (Oettli–Prager).
        double backward = Enumerable.Range(0, order).Max(i =>
            Math.Abs(Enumerable.Range(0, order).Sum(j => Entry(i, j) * x[j]) - rhs[i])
            / (Enumerable.Range(0, order).Sum(j => Math.Abs(Entry(i, j) * x[j])) + Math.Abs(rhs[i])));
        // Measured 3e-16 at the vertex, 1e-13 for the positive definite K₁₁ (whose sum with BᵀB/δ weights B by 1e3).
        Assert.True(backward < (vertex ? 1e-14 : 1e-12), $"backward error {backward}");
        if (vertex) return;
        var ldl = new QuasiDefiniteLdl(order);
        for (int i = 0; i < order; i++)
            for (int j = 0; j < order; j++) ldl.Matrix[i * order + j] = Entry(i, j);
        Assert.True(ldl.Factor(n));
        var reference = (double[])rhs.Clone();
        ldl.Solve(reference);
        Assert.Equal(reference, x, (p, q) => Math.Abs(p - q) < 1e-9 * (1 + Math.Abs(q)));
        // Factor after FactorEliminated solves with the blocks again.
        k11.CopyTo(blocked.Leading);
        b.CopyTo(blocked.Coupling);
        Assert.True(blocked.Factor(delta));
        var again = (double[])rhs.Clone();
        blocked.Solve(again);
        Assert.Equal(reference, again, (p, q) => Math.Abs(p - q) < 1e-9 * (1 + Math.Abs(q)));
    }

    [Fact]
    public void QuasiDefiniteCholesky_RefusesAnIndefiniteLeadingBlock()
    {
        var blocked = new QuasiDefiniteCholesky(2, 1);
        new double[] { 1, 0, 0, -1 }.CopyTo(blocked.Leading);
        new double[] { 1, 1 }.CopyTo(blocked.Coupling);
        Assert.False(blocked.Factor(1e-8));
        new double[] { 1, 0, 0, 1e-15 }.CopyTo(blocked.Leading);   // a pivot the LDLᵀ would regularise
        Assert.False(blocked.Factor(1e-8));
        new double[] { 1, 0, 0, double.NaN }.CopyTo(blocked.Leading);
        Assert.False(blocked.Factor(1e-8));
        // The split factorisation: all but variables 1 and 2 isolated; their block indefinite, then an isolated pivot negative.
        int n = QuasiDefiniteCholesky.MinimumSplitOrder;
        var split = new QuasiDefiniteCholesky(n, 1);
        double[] Leading(double k00, double k21)
        {
            var k = new double[n * n];
            for (int j = 0; j < n; j++) k[j * n + j] = 1;
            k[0] = k00;
            k[2 * n + 1] = k[1 * n + 2] = k21;
            return k;
        }
        Leading(1, 0.5).CopyTo(split.Leading);
        Enumerable.Repeat(1.0, n).ToArray().CopyTo(split.Coupling);
        Assert.True(split.Factor(1e-8));
        Leading(1, 2).CopyTo(split.Leading);
        Enumerable.Repeat(1.0, n).ToArray().CopyTo(split.Coupling);
        Assert.False(split.Factor(1e-8));
        Leading(-1, 0.5).CopyTo(split.Leading);
        Assert.False(split.Factor(1e-8));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(30)]
    [InlineData(33)]
    [InlineData(60)]
    public void SmallTriangular_SolvesLikeBlas(int n)
    {
        var random = new Random(n);
        int lda = n + 2;   // a row length beyond the order: only the lower triangle of the leading n columns is read
        var l = Random(random, n * lda);
        for (int i = 0; i < n; i++) l[i * lda + i] = 2 + Math.Abs(l[i * lda + i]);
        foreach (bool transpose in new[] { false, true })
        {
            var rhs = Random(random, n);
            var x = (double[])rhs.Clone();
            SmallTriangular.SolveLower(l, n, lda, transpose, x);
            // The residual of L·x (or Lᵀ·x) against the right-hand side, summed in double-double; the solve is componentwise
            // backward stable: |b − Lx| ≤ γ·|L||x| with γ = (n + 1)u (the dot products' n − 1 roundings, the subtraction's
            // and the division's; Higham, Accuracy and Stability of Numerical Algorithms, Lemma 8.2 and Thm. 8.5).
            double gamma = (n + 1) * (Math.BitIncrement(1.0) - 1) / 2;
            for (int i = 0; i < n; i++)
            {
                double sum = 0, hi = rhs[i], lo = 0, magnitude = 0;
                for (int j = 0; j < n; j++)
                {
                    double entry = transpose ? (i <= j ? l[j * lda + i] : 0) : (j <= i ? l[i * lda + j] : 0);
                    sum += entry * x[j];
                    CompensatedKernels.AddProduct(ref hi, ref lo, -entry, x[j]);
                    magnitude += Math.Abs(entry * x[j]);
                }
                Assert.True(Math.Abs(sum - rhs[i]) < 1e-12 * (1 + Math.Abs(rhs[i])), $"row {i}: {sum} vs {rhs[i]}");
                Assert.True(Math.Abs(hi + lo) <= gamma * magnitude, $"row {i}: backward error {Math.Abs(hi + lo) / magnitude}, γ = {gamma}");
            }
            if (!NativeBlas.IsAvailable) continue;
            var blas = (double[])rhs.Clone();
            NativeBlas.SolveLower(l, n, lda, transpose, blas);
            Assert.Equal(blas, x, (p, q) => Math.Abs(p - q) < 1e-12 * (1 + Math.Abs(q)));
        }
    }

    [Fact]
    public void GramRows_MatchesTheSumOverTheRowsOfEveryConeButTheZeroCone()
    {
        // Orthant rows 2–4 with one nonzero (diagonal terms), row 5 empty, rows 6–7 dense, and a second-order cone.
        var random = new Random(23);
        int n = 5;
        var cones = HomogeneousItemSolver.Create([new ZeroCone(2), new NonnegativeCone(6), new SecondOrderCone(3)]);
        int m = 11;
        var a = Random(random, m * n);
        for (int i = 2; i < 6; i++) a.AsSpan(i * n, n).Clear();
        (a[2 * n + 1], a[3 * n + 4], a[4 * n + 1]) = (-1, 2.5, 0.75);
        var program = ItemEquilibration.Create(cones, m, n, a, new double[m], new double[n], null);
        var g = Random(random, m * n);   // any G with Â's pattern in the orthant rows; the zero rows must be ignored
        for (int i = 2; i < 8; i++)
            for (int j = 0; j < n; j++)
                if (program.DenseScaledA[i * n + j] == 0) g[i * n + j] = 0;
        var k = new double[n * n];
        new GramRows(cones, n, m).Gram(program, g, k);
        for (int j = 0; j < n; j++)
            for (int l = 0; l <= j; l++)
            {
                double expected = Enumerable.Range(2, m - 2).Sum(i => g[i * n + j] * g[i * n + l]);
                Assert.True(Math.Abs(k[j * n + l] - expected) < 1e-13, $"({j},{l}): {k[j * n + l]} vs {expected}");
            }
    }

    /// <summary>
    /// An item shaped like the portfolio layer: dense zero-cone rows, bounds (one nonzero per orthant row), an empty row
    /// and a second-order cone on the last variables only, and an orthant row over two of them. Its G = FᵀÂ from the
    /// cones' scalings (<see cref="KernelCone.HalfInverse"/>), the Gram sum is packed to those columns: the result must
    /// be the sum over every row but the zero cone's, and zero off the diagonal elsewhere.
    /// </summary>
    [Fact]
    public void GramRows_PacksTheColumnsOfTheDenseRows()
    {
        var random = new Random(29);
        int n = 9, m = 2 + 6 + 4;
        var cones = HomogeneousItemSolver.Create([new ZeroCone(2), new NonnegativeCone(6), new SecondOrderCone(4)]);
        var a = new double[m * n];
        for (int j = 0; j < 2 * n; j++) a[j] = random.NextDouble() * 2 - 1;   // zero-cone rows: dense
        for (int i = 2; i < 7; i++) a[i * n + (i - 2)] = 0.5 + random.NextDouble();
        (a[7 * n + 6], a[7 * n + 8]) = (1, -2);                                  // an orthant row over two columns
        for (int i = 9; i < 12; i++) a[i * n + 6 + (i - 9)] = random.NextDouble() - 2;   // row 8 (the cone's first) empty
        var s = new double[m];
        var z = new double[m];
        for (int i = 2; i < 8; i++) (s[i], z[i]) = (0.1 + random.NextDouble(), 0.1 + random.NextDouble());
        (s[8], s[9], s[10], s[11]) = (2, 0.3, -0.5, 0.2);
        (z[8], z[9], z[10], z[11]) = (1.5, -0.4, 0.1, 0.6);
        foreach (var cone in cones) Assert.True(cone.Scale(s.AsSpan(cone.Offset, cone.Rows), z.AsSpan(cone.Offset, cone.Rows)));
        var program = ItemEquilibration.Create(cones, m, n, a, new double[m], new double[n], null);
        var g = new double[m * n];
        foreach (var cone in cones)
            if (!cone.IsZero)
                cone.HalfInverse(program.DenseScaledA.AsSpan(cone.Offset * n, cone.Rows * n), g.AsSpan(cone.Offset * n, cone.Rows * n), n);
        var k = Enumerable.Repeat(double.NaN, n * n).ToArray();
        new GramRows(cones, n, m).Gram(program, g, k);
        for (int j = 0; j < n; j++)
            for (int l = 0; l <= j; l++)
            {
                double expected = Enumerable.Range(2, m - 2).Sum(i => g[i * n + j] * g[i * n + l]);
                Assert.True(Math.Abs(k[j * n + l] - expected) < 1e-13, $"({j},{l}): {k[j * n + l]} vs {expected}");
                if (l < j && j < 6) Assert.Equal(0, k[j * n + l]);
            }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void ItemKkt_NativeAndManaged_GiveTheSameDirection(bool withP, bool bounds)
    {
        // An item with zero, orthant and second-order rows at an interior point: both paths solve the same K. With
        // bounds, orthant rows 2–4 have one nonzero and row 5 none (GramRows adds them to the diagonal, the managed
        // Gram sums every row).
        var random = new Random(withP ? 11 : 12);
        int n = 8;
        var cones = new Cone[] { new ZeroCone(2), new NonnegativeCone(6), new SecondOrderCone(4) };
        int m = cones.Sum(c => c.Rows);
        var a = Random(random, m * n);
        if (bounds)
        {
            for (int i = 2; i < 6; i++) a.AsSpan(i * n, n).Clear();
            (a[2 * n + 0], a[3 * n + 5], a[4 * n + 0]) = (-1, 2.5, 0.75);
        }
        double[]? p = null;
        if (withP)
        {
            var h = Random(random, n * n);
            p = new double[n * n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) p[i * n + j] = Enumerable.Range(0, n).Sum(r => h[r * n + i] * h[r * n + j]);
        }
        var s = new double[m];
        var z = new double[m];
        for (int i = 2; i < 8; i++) (s[i], z[i]) = (0.1 + random.NextDouble(), 0.1 + random.NextDouble());
        (s[8], s[9], s[10], s[11]) = (2, 0.3, -0.5, 0.2);
        (z[8], z[9], z[10], z[11]) = (1.5, -0.4, 0.1, 0.6);
        var top = Random(random, n);
        var bottom = Random(random, m);
        (double[] Dx, double[] Dz) Solve(bool native)
        {
            var kernel = HomogeneousItemSolver.Create(cones);
            foreach (var cone in kernel) Assert.True(cone.Scale(s.AsSpan(cone.Offset, cone.Rows), z.AsSpan(cone.Offset, cone.Rows)));
            var program = ItemEquilibration.Create(kernel, m, n, a, new double[m], new double[n], p);
            var kkt = new ItemKkt(kernel, n, m, native);
            Assert.Equal(native, kkt.Native);
            Assert.True(kkt.Factor(program));
            var (dx, dz) = (new double[n], new double[m]);
            Assert.True(kkt.Solve(top, bottom, dx, dz));
            return (dx, dz);
        }
        var (nativeX, nativeZ) = Solve(native: true);
        var (managedX, managedZ) = Solve(native: false);
        Assert.Equal(managedX, nativeX, (u, v) => Math.Abs(u - v) < 1e-9 * (1 + Math.Abs(v)));
        Assert.Equal(managedZ, nativeZ, (u, v) => Math.Abs(u - v) < 1e-9 * (1 + Math.Abs(v)));
    }
}
