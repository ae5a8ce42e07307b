using DiffOpt.Cones;
using DiffOpt.Native;
using DiffOpt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones;

/// <summary>
/// A held sparsely (<see cref="SparseBatchMatrix"/>, as the modeling layer gives it) against the same programs given
/// densely to <see cref="ConeProgramSolver"/>: the solutions, statuses, iterations and gradients agree (to 1e-10; on the
/// kernel's dense KKT path to the solver's accuracy, as MKL rounds by buffer alignment there), on
/// the kernel's dense and sparse KKT paths, with batched and shared A, and for the derivative's dense fallback.
/// </summary>
public class SparseProgramRouteTests(ITestOutputHelper output)
{
    private static readonly Cone[] Cones = ConesWith(24);

    /// <summary>Zero, nonnegative (<paramref name="orthant"/> rows), second-order and exponential cones.</summary>
    private static Cone[] ConesWith(int orthant) => [new ZeroCone(2), new NonnegativeCone(orthant), new SecondOrderCone(3), new ExponentialCone(2)];

    /// <summary>
    /// Strictly feasible primal and dual programs with a sparse A (B items, one support, a given share of the entries (10 % by default) and two per row, plus
    /// one entry zero in every item), b = A·x₀ + s₀ and c = −Aᵀy₀ with s₀ ∈ int K and y₀ ∈ int K*: each has a solution.
    /// </summary>
    private static (Tensor A, Tensor B, Tensor C, long[] Support) Program(int batch, int n, bool shared, int seed, int orthant = 24, double density = 0.1)
    {
        var random = new Random(seed);
        int m = ConesWith(orthant).Sum(c => c.Rows);
        var support = new SortedSet<long>();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                if (random.NextDouble() < density || j == i % n || j == (i + 1) % n) support.Add((long)i * n + j);
        int items = shared ? 1 : batch;
        var a = new double[items * m * n];
        long structuralZero = support.ElementAt(support.Count / 2);
        for (int item = 0; item < items; item++)
            foreach (long e in support)
                a[item * m * n + e] = e == structuralZero ? 0 : random.NextDouble() * 2 - 1;
        double[] s0 = [0, 0, .. Enumerable.Range(0, orthant).Select(_ => 0.5 + random.NextDouble()), 2, 0.5, 0.3, 0, 1, 2, 0.1, 1, 3];
        double[] y0 = [0.3, -0.2, .. Enumerable.Range(0, orthant).Select(_ => 0.5 + random.NextDouble()), 2, -0.4, 0.6, -1, 0, 1, -1, 0.2, 2];
        var A = tensor(a, dtype: ScalarType.Float64).view(shared ? [m, n] : [batch, m, n]);
        var x0 = tensor(Enumerable.Range(0, batch * n).Select(_ => random.NextDouble() - 0.5).ToArray(), dtype: ScalarType.Float64).view(batch, n);
        var dense = A.dim() == 2 ? A.expand(batch, m, n) : A;
        var b = dense.matmul(x0.unsqueeze(2)).squeeze(2).Plus(tensor(s0, dtype: ScalarType.Float64));
        var c = -dense.transpose(1, 2).matmul(tensor(y0, dtype: ScalarType.Float64).expand(batch, m).unsqueeze(2)).squeeze(2);
        return (A, b, c, support.ToArray());
    }

    /// <summary>A's values at <paramref name="support"/> held sparsely: (B, k), or (k) when A is (m, n).</summary>
    private static SparseBatchMatrix Sparse(Tensor A, long[] support)
    {
        int m = (int)A.shape[^2], n = (int)A.shape[^1];
        var index = tensor(support);
        var values = A.dim() == 2 ? A.reshape(m * n).index_select(0, index) : A.reshape(A.shape[0], m * n).index_select(1, index);
        return SparseBatchMatrix.FromSupport(support, m, n, values);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void SparseA_MatchesDenseA_InSolutionAndGradients(bool shared, bool withP)
    {
        // Large and sparse enough for the kernel's sparse KKT path and the sparse derivative solver (the routes differ
        // most there; the dense KKT path is compared in KernelPaths_ReadSparseA_AsTheDenseOne).
        const int batch = 4, n = 150;
        var cones = ConesWith(300);
        var (A, b, c, support) = Program(batch, n, shared, seed: 3, orthant: 300, density: 0.002);
        var P = withP ? diag(tensor(Enumerable.Range(0, n).Select(j => 0.1 + 0.01 * j).ToArray(), dtype: ScalarType.Float64)) : null;
        Assert.NotNull(SparseKktPattern.Choose(cones, batch, (int)A.shape[^2], n, Sparse(A, support).NonzeroMask(),
            withP ? TensorCopy.ToDoubles(P!) : null, KktPath.Auto));
        var solver = new ConeProgramSolver();
        var (denseSolution, denseHandle) = solver.SolveWithDerivative(A, b, c, cones, P);
        var (sparseSolution, sparseHandle) = solver.SolveWithDerivative(ConeProgramData.Create(Sparse(A, support), b, c, cones, P), null);
        Assert.All(denseSolution.Status, s => Assert.Equal(SolverStatus.Solved, s));
        Assert.Equal(denseSolution.Status, sparseSolution.Status);
        Assert.Equal(denseSolution.Iterations, sparseSolution.Iterations);
        AssertClose(denseSolution.X, sparseSolution.X, "x");
        AssertClose(denseSolution.Y, sparseSolution.Y, "y");

        var generator = new Generator(5);
        var gx = randn(batch, n, dtype: ScalarType.Float64, generator: generator);
        var gy = randn(batch, A.shape[^2], dtype: ScalarType.Float64, generator: generator);
        var dense = denseHandle.Adjoint(gx, gy, null);
        int m = (int)A.shape[^2];
        var entries = new MatrixEntries(tensor(support.Select(e => e / n).ToArray()), tensor(support.Select(e => e % n).ToArray()));
        var sparse = sparseHandle.Adjoint(gx, gy, null, entries, null);
        var flat = shared ? dense.A.reshape(m * n) : dense.A.reshape(batch, m * n);
        AssertClose(flat.index_select(-1, tensor(support)), sparse.A, "∇A at the support");
        AssertClose(dense.B, sparse.B, "∇b");
        AssertClose(dense.C, sparse.C, "∇c");
        Assert.Equal(denseHandle.LeastSquares.data<bool>().ToArray(), sparseHandle.LeastSquares.data<bool>().ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void KernelPaths_ReadSparseA_AsTheDenseOne(bool sparsePath)
    {
        var path = sparsePath ? KktPath.Sparse : KktPath.Dense;
        var (A, b, c, support) = Program(batch: 3, n: 30, shared: false, seed: 9);
        var options = ConeProgramSolverOptions.Default;
        var dense = HomogeneousKernel.Solve(ConeProgramData.Create(A, b, c, Cones, null).Wide(), options, ScalarType.Float64, path: path);
        var sparse = HomogeneousKernel.Solve(ConeProgramData.Create(Sparse(A, support), b, c, Cones, null).Wide(), options, ScalarType.Float64,
            path: path);
        Assert.Equal(dense.Status, sparse.Status);
        if (sparsePath)
        {
            Assert.Equal(dense.Iterations, sparse.Iterations);
            AssertClose(dense.X, sparse.X, $"x ({path})");
            AssertClose(dense.Y, sparse.Y, $"y ({path})");
            return;
        }
        // The dense path's MKL calls round by the alignment of the pooled buffers an item lands in, so two solves of the
        // same data can end some iterations apart (seen in full runs: 13 against 14, and 15 against 17): agreement to the
        // solver's accuracy, not to rounding or in iteration counts, is what the route can promise there.
        AssertClose(dense.X, sparse.X, $"x ({path})", 1e-6);
        AssertClose(dense.Y, sparse.Y, $"y ({path})", 1e-6);
    }

    [Fact]
    public void TensorPath_FormsTheDenseA()
    {
        var (A, b, c, support) = Program(batch: 2, n: 30, shared: false, seed: 4);
        var options = ConeProgramSolverOptions.Default;
        var dense = HomogeneousInteriorPoint.SolveWithTensors(ConeProgramData.Create(A, b, c, Cones, null).Wide(), options, ScalarType.Float64);
        var sparse = HomogeneousInteriorPoint.SolveWithTensors(ConeProgramData.Create(Sparse(A, support), b, c, Cones, null).Wide(), options,
            ScalarType.Float64);
        Assert.Equal(dense.Status, sparse.Status);
        AssertClose(dense.X, sparse.X, "x");
        Assert.Throws<InvalidOperationException>(() => ConeProgramData.Create(Sparse(A, support), b, c, Cones, null).A);
    }

    [KernelPathFact]
    public void SingularItem_TakesTheDenseFallback_WithSparseA()
    {
        // P = I/2 and few active rows (D = I on the zero cone and on 30 orthant rows, 0 on the others) make J regular;
        // in item 0 the two equality rows are zero (explicit zeros at the batch's support), so its J is singular.
        const int batch = 2, n = 60;
        var cones = ConesWith(200);
        var (A, b, c, _) = Program(batch, n, shared: false, seed: 8, orthant: 200);
        A = A.clone();
        A[0, 0] = zeros(n, dtype: ScalarType.Float64);
        A[0, 1] = zeros(n, dtype: ScalarType.Float64);
        int m = (int)A.shape[1];
        var support = A.reshape(batch, m * n).ne(ScalarSafeOperations.Zero).any(0).nonzero().reshape(-1).data<long>().ToArray();
        var P = eye(n, dtype: ScalarType.Float64).Times(0.5);
        var generator = new Generator(11);
        var x = randn(batch, n, dtype: ScalarType.Float64, generator: generator);
        var v = randn(batch, m, dtype: ScalarType.Float64, generator: generator);
        v[.., 2..32] = v[.., 2..32].abs();
        v[.., 32..202] = -v[.., 32..202].abs();
        var (y, s) = (v.AtLeast(0L), (-v).AtLeast(0L));
        y[.., 0..2] = v[.., 0..2];
        s[.., 0..2] = zeros(batch, 2, dtype: ScalarType.Float64);
        var sparseA = Sparse(A, support);
        var d = new CompositeCone(cones).ProjectDualDerivative(y - s);
        // The sparse derivative solver takes this batch (so the constructors below use it and its fallback).
        var identity = eye(m, dtype: ScalarType.Float64);
        Tensor Jacobian(long[] items, Tensor dj)
        {
            var aj = A.index_select(0, tensor(items));
            var pj = P.expand(items.Length, n, n);
            return cat([cat([pj, aj.transpose(1, 2).matmul(dj)], 2), cat([aj, dj - identity], 2)], 1);
        }
        Assert.NotNull(SparseDerivativeSolver.TryCreate(cones, sparseA, batch, P.expand(batch, n, n), d, Jacobian));
        var dense = new ConeProgramDerivative(cones, A, b, c, P, x, y, s);
        var sparse = new ConeProgramDerivative(cones, sparseA, b, c, P, x, y, s);
        Assert.Equal(new[] { true, false }, sparse.LeastSquares.data<bool>().ToArray());
        Assert.Equal(dense.LeastSquares.data<bool>().ToArray(), sparse.LeastSquares.data<bool>().ToArray());
        var gx = randn(batch, n, dtype: ScalarType.Float64, generator: generator);
        var expected = dense.Adjoint(gx, null, null);
        var actual = sparse.Adjoint(gx, null, null);
        AssertClose(expected.A, actual.A, "∇A");
        AssertClose(expected.B, actual.B, "∇b");
        var direction = randn(batch, m, dtype: ScalarType.Float64, generator: generator);
        AssertClose(dense.Forward(null, direction, null, null).DX, sparse.Forward(null, direction, null, null).DX, "dx");
    }

    private void AssertClose(Tensor expected, Tensor actual, string name, double tolerance = 1e-10)
    {
        double scale = Math.Max(1, expected.abs().max().item<double>());
        double difference = (expected - actual).abs().max().item<double>();
        output.WriteLine($"{name}: max difference {difference:E2} (scale {scale:E2})");
        Assert.True(difference <= tolerance * scale, $"{name}: difference {difference:E2}");
    }
}
