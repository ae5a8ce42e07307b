using DiffOpt.LinearAlgebra;
using Xunit.Abstractions;

namespace DiffOpt.Tests.LinearAlgebra;

/// <summary>
/// The sparse quasi-definite LDLᵀ (<see cref="SparseLdl"/>, <see cref="SparseLdlSymbolic"/>,
/// <see cref="MinimumDegreeOrdering"/>) against a dense Gaussian elimination with partial pivoting on random sparse
/// quasi-definite matrices [H₁, Bᵀ; B, −H₂] (H₁, H₂ positive definite).
/// </summary>
public class SparseLdlTests(ITestOutputHelper output)
{
    /// <summary>A random sparse quasi-definite matrix of order n1 + n2, dense row-major, and its upper triangle by columns.</summary>
    private static (double[] Dense, int[] Starts, int[] Rows, double[] Values, bool[] Positive) Random(int n1, int n2, double density, int seed,
        double diagonal = 1)
    {
        var random = new Random(seed);
        int n = n1 + n2;
        var k = new double[n * n];
        void Set(int i, int j, double v) => (k[i * n + j], k[j * n + i]) = (v, v);
        for (int j = 0; j < n; j++)
            for (int i = 0; i < j; i++)
                if (random.NextDouble() < density) Set(i, j, random.NextDouble() * 2 - 1);
        // Diagonal dominance within each block makes H₁ and H₂ positive definite whatever B is.
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            for (int j = 0; j < n; j++)
                if (j != i && (i < n1) == (j < n1)) sum += Math.Abs(k[i * n + j]);
            k[i * n + i] = (i < n1 ? 1 : -1) * (sum + diagonal * (0.5 + random.NextDouble()));
        }
        var (starts, rows, values) = UpperTriangle(k, n);
        return (k, starts, rows, values, Enumerable.Range(0, n).Select(i => i < n1).ToArray());
    }

    private static (int[] Starts, int[] Rows, double[] Values) UpperTriangle(double[] k, int n)
    {
        var starts = new List<int> { 0 };
        var rows = new List<int>();
        var values = new List<double>();
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i <= j; i++)
                if (k[i * n + j] != 0 || i == j)
                {
                    rows.Add(i);
                    values.Add(k[i * n + j]);
                }
            starts.Add(rows.Count);
        }
        return (starts.ToArray(), rows.ToArray(), values.ToArray());
    }

    /// <summary>x = K⁻¹b by Gaussian elimination with partial pivoting (an independent dense reference).</summary>
    private static double[] DenseSolve(double[] k, double[] b, int n)
    {
        var a = (double[])k.Clone();
        var x = (double[])b.Clone();
        for (int c = 0; c < n; c++)
        {
            int pivot = c;
            for (int r = c + 1; r < n; r++)
                if (Math.Abs(a[r * n + c]) > Math.Abs(a[pivot * n + c])) pivot = r;
            for (int j = 0; j < n; j++) (a[c * n + j], a[pivot * n + j]) = (a[pivot * n + j], a[c * n + j]);
            (x[c], x[pivot]) = (x[pivot], x[c]);
            for (int r = c + 1; r < n; r++)
            {
                double f = a[r * n + c] / a[c * n + c];
                for (int j = c; j < n; j++) a[r * n + j] -= f * a[c * n + j];
                x[r] -= f * x[c];
            }
        }
        for (int r = n - 1; r >= 0; r--)
        {
            double sum = x[r];
            for (int j = r + 1; j < n; j++) sum -= a[r * n + j] * x[j];
            x[r] = sum / a[r * n + r];
        }
        return x;
    }

    private static double RelativeError(double[] x, double[] reference) =>
        x.Zip(reference, (a, b) => Math.Abs(a - b)).Max() / Math.Max(1, reference.Max(Math.Abs));

    [Theory]
    [InlineData(30, 20, 0.05, 1)]
    [InlineData(60, 90, 0.02, 2)]
    [InlineData(5, 3, 0.5, 3)]
    [InlineData(40, 0, 0.1, 4)]
    [InlineData(0, 25, 0.1, 5)]
    public void Solve_MatchesDenseElimination_OnRandomQuasiDefiniteMatrices(int n1, int n2, double density, int seed)
    {
        var (dense, starts, rows, values, positive) = Random(n1, n2, density, seed);
        int n = n1 + n2;
        var symbolic = new SparseLdlSymbolic(n, starts, rows, positive);
        var ldl = new SparseLdl(symbolic);
        Assert.True(ldl.Factor(values));
        Assert.Equal(0, ldl.Regularized);
        var b = Enumerable.Range(0, n).Select(i => Math.Sin(i + seed)).ToArray();
        var x = (double[])b.Clone();
        ldl.Solve(x);
        double error = RelativeError(x, DenseSolve(dense, b, n));
        output.WriteLine($"order {n}: |K| {values.Length}, |L| {symbolic.FactorEntries}, error {error:E2}");
        Assert.True(error < 1e-12, $"error {error:E2}");
    }

    [Fact]
    public void FailedFactorization_LeavesTheWorkspaceForTheNext()
    {
        // A non-finite entry stops the factorisation part-way; the same workspace then factorises and solves a good
        // matrix on the pattern as a fresh one does.
        var (dense, starts, rows, values, positive) = Random(20, 15, 0.15, 9);
        int n = 35;
        var symbolic = new SparseLdlSymbolic(n, starts, rows, positive);
        var ldl = new SparseLdl(symbolic);
        var broken = (double[])values.Clone();
        broken[values.Length / 2] = double.NaN;
        Assert.False(ldl.Factor(broken));
        Assert.True(ldl.Factor(values));
        var b = Enumerable.Range(0, n).Select(i => Math.Sin(3.0 * i)).ToArray();
        var x = (double[])b.Clone();
        ldl.Solve(x);
        double error = RelativeError(x, DenseSolve(dense, b, n));
        Assert.True(error < 1e-12, $"error {error:E2}");
        Assert.Throws<ArgumentException>(() => ldl.Solve(new double[n + 1]));
    }

    [Fact]
    public void Symbolic_IsReusedAcrossValues_AndThreads()
    {
        var (_, starts, rows, _, positive) = Random(25, 25, 0.08, 7);
        int n = 50;
        var symbolic = new SparseLdlSymbolic(n, starts, rows, positive);
        // New values on the same pattern (other seeds give other patterns, so rescale this one's entries instead).
        var errors = new double[8];
        Parallel.For(0, errors.Length, t =>
        {
            var random = new Random(100 + t);
            var k = new double[n * n];
            var values = new double[rows.Length];
            for (int j = 0; j < n; j++)
                for (int p = starts[j]; p < starts[j + 1]; p++)
                {
                    int i = rows[p];
                    double v = i == j ? (i < 25 ? 1 : -1) * (10 + random.NextDouble()) : random.NextDouble() - 0.5;
                    values[p] = v;
                    (k[i * n + j], k[j * n + i]) = (v, v);
                }
            var ldl = new SparseLdl(symbolic);
            Assert.True(ldl.Factor(values));
            var b = Enumerable.Range(0, n).Select(i => Math.Cos(i * (t + 1))).ToArray();
            var x = (double[])b.Clone();
            ldl.Solve(x);
            errors[t] = RelativeError(x, DenseSolve(k, b, n));
        });
        Assert.All(errors, e => Assert.True(e < 1e-12, $"error {e:E2}"));
    }

    [Fact]
    public void Ordering_IsAPermutation_AndAvoidsTheFillOfAnArrow()
    {
        // An arrow matrix: a dense first row and column. The natural order fills L completely; eliminating the hub
        // last leaves no fill at all.
        const int n = 40;
        var k = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            k[i * n + i] = 4;
            if (i > 0) k[i] = k[i * n] = 1;
        }
        k[0] = n; // positive definite (diagonally dominant)
        var (starts, rows, values) = UpperTriangle(k, n);
        var positive = Enumerable.Repeat(true, n).ToArray();
        var perm = MinimumDegreeOrdering.Order(n, starts, rows);
        Assert.Equal(Enumerable.Range(0, n), perm.Order());
        var ordered = new SparseLdlSymbolic(n, starts, rows, positive);
        var natural = new SparseLdlSymbolic(n, starts, rows, positive, Enumerable.Range(0, n).ToArray());
        output.WriteLine($"|L| minimum degree {ordered.FactorEntries}, natural {natural.FactorEntries}");
        Assert.Equal(n - 1, ordered.FactorEntries);
        Assert.Equal(n * (n - 1) / 2, natural.FactorEntries);
        // Both orders give the same solution.
        var b = Enumerable.Range(0, n).Select(i => 1.0 + i).ToArray();
        var (x1, x2) = ((double[])b.Clone(), (double[])b.Clone());
        var (f1, f2) = (new SparseLdl(ordered), new SparseLdl(natural));
        Assert.True(f1.Factor(values) && f2.Factor(values));
        f1.Solve(x1);
        f2.Solve(x2);
        Assert.True(RelativeError(x1, DenseSolve(k, b, n)) < 1e-13 && RelativeError(x2, x1) < 1e-13);
    }

    [Fact]
    public void SingularMatrix_IsRegularized_Reported_AndRefinable()
    {
        // K = [0, 1, 0; 1, 0, 0; 0, 0, −1] (P = 0 and one equality row, as in an LP's KKT matrix): the first pivot is 0,
        // replaced by +2e-7; K itself is nonsingular, so refinement against K recovers the exact solution.
        var k = new double[] { 0, 1, 0, 1, 0, 0, 0, 0, -1 };
        var (starts, rows, values) = UpperTriangle(k, 3);
        var symbolic = new SparseLdlSymbolic(3, starts, rows, [true, false, false], [0, 1, 2]);
        var ldl = new SparseLdl(symbolic);
        Assert.True(ldl.Factor(values));
        Assert.True(ldl.Regularized >= 1, $"regularized {ldl.Regularized}");
        double[] b = [1, 2, 3];
        var x = (double[])b.Clone();
        ldl.Solve(x);
        Assert.All(x, v => Assert.True(double.IsFinite(v)));
        double before = RelativeError(x, [2, 1, -3]);
        for (int step = 0; step < 30; step++)
        {
            var r = new double[3];
            for (int i = 0; i < 3; i++)
            {
                r[i] = b[i];
                for (int j = 0; j < 3; j++) r[i] -= k[i * 3 + j] * x[j];
            }
            ldl.Solve(r);
            for (int i = 0; i < 3; i++) x[i] += r[i];
        }
        double after = RelativeError(x, [2, 1, -3]);
        output.WriteLine($"error before refinement {before:E2}, after {after:E2}");
        Assert.True(after < 1e-12, $"after refinement {after:E2}");
    }

    [Fact]
    public void NonFiniteValues_AreReported_NotFactorised()
    {
        var (_, starts, rows, values, positive) = Random(4, 4, 0.5, 9);
        var ldl = new SparseLdl(new SparseLdlSymbolic(8, starts, rows, positive));
        values[^1] = double.NaN;
        Assert.False(ldl.Factor(values));
    }

    [Fact]
    public void BadPatterns_AreRefused_WithTheArgumentNamed()
    {
        bool[] signs = [true, false];
        Assert.Equal("rows", Assert.Throws<ArgumentException>(() => new SparseLdlSymbolic(2, [0, 2, 3], [0, 1, 1], signs)).ParamName);
        Assert.Equal("rows", Assert.Throws<ArgumentException>(() => new SparseLdlSymbolic(2, [0, 1, 2], [0, 0], signs)).ParamName);
        Assert.Equal("columnStarts", Assert.Throws<ArgumentException>(() => new SparseLdlSymbolic(2, [0, 1], [0], signs)).ParamName);
        Assert.Equal("permutation", Assert.Throws<ArgumentException>(() => new SparseLdlSymbolic(2, [0, 1, 3], [0, 0, 1], signs, [1, 1])).ParamName);
        var ldl = new SparseLdl(new SparseLdlSymbolic(2, [0, 1, 3], [0, 0, 1], signs));
        Assert.Equal("values", Assert.Throws<ArgumentException>(() => ldl.Factor(new double[2])).ParamName);
    }
}
