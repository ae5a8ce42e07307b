using DiffOpt.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra;

namespace DiffOpt.Tests.LinearAlgebra;

/// <summary>
/// <see cref="InverseNormEstimate"/>: a lower bound on ‖A⁻¹‖₁ close to it on random matrices, and the null direction
/// of two equal rows, which the uniform start alone cannot see.
/// </summary>
public class InverseNormEstimateTests
{
    private static InverseNormEstimate.Solve Applying(Matrix<double> inverse) => (b, transpose) =>
    {
        var product = (transpose ? inverse.Transpose() : inverse) * Vector<double>.Build.DenseOfArray(b.ToArray());
        product.AsArray().CopyTo(b);
    };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(40)]
    public void Estimate_IsALowerBound_WithinAFactorThree_OnRandomMatrices(int n)
    {
        var random = new Random(n);
        var a = Matrix<double>.Build.Dense(n, n, (_, _) => random.NextDouble() - 0.5) + Matrix<double>.Build.DenseIdentity(n);
        var inverse = a.Inverse();
        double exact = inverse.L1Norm(), estimate = InverseNormEstimate.Of(n, Applying(inverse));
        Assert.True(estimate <= exact * (1 + 1e-12), $"estimate {estimate} above the norm {exact}");
        Assert.True(estimate >= exact / 3, $"estimate {estimate} below a third of the norm {exact}");
    }

    [Fact]
    public void NullDirectionOfTwoEqualRows_IsFound()
    {
        // A⁻¹ = diag(100, 1, 1, 1) + (1/δ − 1)vvᵀ with v = (e₂ − e₃)/√2: A is symmetric in rows 2 and 3 apart from its
        // eigenvalue δ along v. From the uniform start Hager's iteration visits (1, 1, 1, 1)/4 and e₀ only, both
        // orthogonal to v, and stops at 100; ‖A⁻¹‖₁ is about 1/δ.
        const double delta = 1e-10;
        var v = Vector<double>.Build.DenseOfArray([0, 0, Math.Sqrt(0.5), -Math.Sqrt(0.5)]);
        var inverse = Matrix<double>.Build.DenseOfDiagonalArray([100, 1, 1, 1]) + (1 / delta - 1) * v.OuterProduct(v);
        double estimate = InverseNormEstimate.Of(4, Applying(inverse));
        Assert.True(estimate >= 0.5 / delta, $"estimate {estimate:E3}, norm {inverse.L1Norm():E3}");
        Assert.True(estimate <= inverse.L1Norm() * (1 + 1e-12));
    }
}
