using DiffOpt.LinearAlgebra;
using DiffOpt.Native;

namespace DiffOpt.Tests.LinearAlgebra;

/// <summary>
/// The managed solve with LAPACK's Bunch–Kaufman factors (<see cref="BunchKaufmanSolve"/>) against LAPACK's own dsytrs
/// (<see cref="NativeLu.SolveSymmetric"/>) and against the residual of the original matrix, on symmetric indefinite
/// matrices with 1 × 1 pivots and, with a zero diagonal, 2 × 2 pivots.
/// </summary>
public class BunchKaufmanSolveTests
{
    [Theory]
    [InlineData(1, false)]
    [InlineData(7, false)]
    [InlineData(40, false)]
    [InlineData(6, true)]
    [InlineData(41, true)]
    public void Solve_MatchesLapack_AndSolvesTheSystem(int n, bool zeroDiagonal)
    {
        Assert.True(NativeLu.IsAvailable);
        var random = new Random(n + (zeroDiagonal ? 100 : 0));
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                double v = 2 * random.NextDouble() - 1;
                if (i == j) v = zeroDiagonal ? 0 : (i % 2 == 0 ? 3 : -3) + v;
                a[i * n + j] = a[j * n + i] = v;
            }
        var b = Enumerable.Range(0, n).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        var factors = (double[])a.Clone();
        var pivots = new int[n];
        Assert.Equal(0, NativeLu.FactorSymmetric(factors, pivots, n, new double[64 * n]));
        if (zeroDiagonal && n > 1) Assert.Contains(pivots, p => p < 0);   // the case exercises 2 × 2 blocks

        var lapack = (double[])b.Clone();
        NativeLu.SolveSymmetric(factors, pivots, n, lapack);
        var managed = (double[])b.Clone();
        BunchKaufmanSolve.Solve(factors, pivots, n, managed);

        double scale = lapack.Max(Math.Abs);
        for (int i = 0; i < n; i++) Assert.True(Math.Abs(managed[i] - lapack[i]) <= 1e-12 * scale, $"x[{i}]: {managed[i]} vs {lapack[i]}");
        for (int i = 0; i < n; i++)
        {
            double residual = b[i] - Enumerable.Range(0, n).Sum(j => a[i * n + j] * managed[j]);
            Assert.True(Math.Abs(residual) <= 1e-12 * (1 + scale), $"residual[{i}] = {residual}");
        }
    }
}
