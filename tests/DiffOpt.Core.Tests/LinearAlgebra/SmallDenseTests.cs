using DiffOpt.LinearAlgebra;

namespace DiffOpt.Tests.LinearAlgebra;

/// <summary>
/// <see cref="SmallDense"/>: products in every transpose combination against their definition, and the Jacobi
/// eigenvalues against the characteristic equation's invariants (trace, Frobenius norm) and the eigenvectors' residual.
/// </summary>
public class SmallDenseTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(9)]   // past the vector width of the row kernels
    public void Multiply_EqualsTheDefinition_ForEveryTranspose(int n)
    {
        var random = new Random(3 + n);
        var a = Enumerable.Range(0, n * n).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        var b = Enumerable.Range(0, n * n).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        var c = new double[n * n];
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
            {
                SmallDense.Multiply(a, ta, b, tb, c, n);
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < n; j++)
                    {
                        double expected = 0;
                        for (int k = 0; k < n; k++) expected += (ta ? a[k * n + i] : a[i * n + k]) * (tb ? b[j * n + k] : b[k * n + j]);
                        Assert.True(Math.Abs(expected - c[i * n + j]) <= 1e-14 * n, $"n = {n}, ({ta}, {tb}) [{i},{j}]: {expected:R} vs {c[i * n + j]:R}");
                    }
            }
    }

    [Theory]
    [InlineData(2, 1.0)]
    [InlineData(4, 1.0)]
    [InlineData(5, 1e6)]
    [InlineData(5, 1e-6)]
    public void SymmetricEigen_GivesEigenpairsOfTheMatrix(int n, double scale)
    {
        var random = new Random(17 + n);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = scale * (2 * random.NextDouble() - 1);
        double norm = Math.Sqrt(a.Sum(v => v * v));
        var values = new double[n];
        var vectors = new double[n * n];
        var work = a.ToArray();
        Assert.True(SmallDense.SymmetricEigen(work, n, values, vectors));
        // A·vᵢ = λᵢ·vᵢ with orthonormal vᵢ (the columns), to rounding relative to ‖A‖.
        for (int i = 0; i < n; i++)
            for (int row = 0; row < n; row++)
            {
                double av = 0;
                for (int k = 0; k < n; k++) av += a[row * n + k] * vectors[k * n + i];
                Assert.True(Math.Abs(av - values[i] * vectors[row * n + i]) <= 1e-13 * norm, $"(A − λ{i}I)v{i} [{row}] = {av - values[i] * vectors[row * n + i]:R}");
            }
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double dot = Enumerable.Range(0, n).Sum(k => vectors[k * n + i] * vectors[k * n + j]);
                Assert.True(Math.Abs(dot - (i == j ? 1 : 0)) <= 1e-13, $"v{i}·v{j} = {dot:R}");
            }
        // Without vectors: the same values.
        var alone = new double[n];
        work = a.ToArray();
        Assert.True(SmallDense.SymmetricEigen(work, n, alone, Span<double>.Empty));
        for (int i = 0; i < n; i++) Assert.Equal(values[i], alone[i]);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 0)]
    [InlineData(3, 0)]
    [InlineData(5, 0)]
    [InlineData(6, 0)]
    [InlineData(5, 1)]   // diagonal: already tridiagonal, nothing to reduce
    [InlineData(5, 2)]   // I + uuᵀ: a fourfold eigenvalue
    [InlineData(5, 3)]   // entries of 1e6 and a negative definite part
    public void SymmetricEigenvalues_EqualTheJacobiEigenvalues(int n, int kind)
    {
        var random = new Random(29 + n + 10 * kind);
        var u = Enumerable.Range(0, n).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                double value = kind switch
                {
                    0 => 2 * random.NextDouble() - 1,
                    1 => i == j ? u[i] : 0,
                    2 => (i == j ? 1 : 0) + u[i] * u[j],
                    _ => 1e6 * (2 * random.NextDouble() - 1) - (i == j ? 3e6 : 0),
                };
                a[i * n + j] = a[j * n + i] = value;
            }
        double norm = Math.Sqrt(a.Sum(v => v * v));
        var jacobi = new double[n];
        Assert.True(SmallDense.SymmetricEigen(a.ToArray(), n, jacobi, Span<double>.Empty));
        var values = new double[n];
        var work = new double[n];
        Assert.True(SmallDense.SymmetricEigenvalues(a.ToArray(), n, values, work));
        Array.Sort(jacobi);
        Array.Sort(values);
        for (int i = 0; i < n; i++)
            Assert.True(Math.Abs(jacobi[i] - values[i]) <= 1e-14 * Math.Max(norm, 1e-300), $"λ{i}: Jacobi {jacobi[i]:R}, QL {values[i]:R}");
        // The invariants: trace and Frobenius norm.
        double trace = Enumerable.Range(0, n).Sum(i => a[i * n + i]);
        Assert.True(Math.Abs(values.Sum() - trace) <= 1e-13 * norm);
        Assert.True(Math.Abs(Math.Sqrt(values.Sum(v => v * v)) - norm) <= 1e-13 * norm);
    }
}
