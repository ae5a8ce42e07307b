using DiffOpt.LinearAlgebra;
using DiffOpt.Tests.TestSupport;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones;

/// <summary>
/// <see cref="ZeroRowMinimumNorm"/>, the derivative's solve for a J singular only through zero rows, against the
/// pseudo-inverse computed by an SVD (libtorch's pinv), both ways; and its refusal of other singular matrices.
/// </summary>
public class ZeroRowMinimumNormTests
{
    private static double[] RandomMatrix(int n, int seed)
    {
        var random = new ProblemGenerator(seed);
        return Enumerable.Range(0, n * n).Select(_ => random.Normal()).ToArray();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Solve_IsThePseudoInverse_WhenRowsAreZero(bool transpose)
    {
        const int n = 12;
        var j = RandomMatrix(n, 81);
        foreach (int row in new[] { 2, 7 }) j.AsSpan(row * n, n).Clear();
        var solver = ZeroRowMinimumNorm.TryCreate(j, n);
        Assert.NotNull(solver);
        var random = new ProblemGenerator(82);
        var b = Enumerable.Range(0, n).Select(_ => random.Normal()).ToArray();
        var z = new double[n];
        solver.Solve(b, z, transpose);
        var pinv = linalg.pinv(tensor(j, dtype: ScalarType.Float64).view(n, n));
        var expected = (transpose ? pinv.t() : pinv).matmul(tensor(b, dtype: ScalarType.Float64)).data<double>().ToArray();
        Assert.Equal(expected, z, (u, v) => Math.Abs(u - v) < 1e-10 * (1 + Math.Abs(v)));
    }

    [Fact]
    public void TryCreate_Refuses_ARankDeficiencyBeyondTheZeroRows()
    {
        const int n = 8;
        var j = RandomMatrix(n, 83);
        j.AsSpan(0, n).Clear();
        // Row 5 = row 3 + row 4: the nonzero rows are dependent.
        for (int c = 0; c < n; c++) j[5 * n + c] = j[3 * n + c] + j[4 * n + c];
        Assert.Null(ZeroRowMinimumNorm.TryCreate(j, n));
        Assert.Null(ZeroRowMinimumNorm.TryCreate(new double[n * n], n));
    }
}
