using DiffOpt.Cones;
using DiffOpt.Tests.TestSupport;
using MathNet.Numerics.LinearAlgebra;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones;

/// <summary>The PSD cone's Nesterov–Todd scaling W(X) = RᵀXR with RᵀZR = R⁻¹SR⁻ᵀ = Λ.</summary>
public class PsdScalingTests(ITestOutputHelper output) : SymmetricScalingTests(output)
{
    private const int K = 4;

    internal override ISymmetricInteriorPointCone Cone { get; } = (ISymmetricInteriorPointCone)InteriorPointMath.For(new PsdCone(K));

    /// <summary>W(X) = RᵀXR is not symmetric: R is not.</summary>
    protected override bool SymmetricW => false;

    protected override double SingleAccuracy => 1e-4;

    /// <summary>Q diag(λ) Qᵀ with random orthogonal Q and eigenvalues e^U(−3, 3) (condition numbers up to e⁶ ≈ 400).</summary>
    protected override Tensor Interior(int seed)
    {
        var random = new ProblemGenerator(600 + seed);
        return ConeChecks.Batch(Enumerable.Range(0, 5).Select(_ =>
        {
            var q = random.NormalMatrix(K, K).QR().Q;
            var lambda = Enumerable.Range(0, K).Select(_ => Math.Exp(random.Uniform(-3, 3))).ToArray();
            return SvecReference.ToSvec(q * Matrix<double>.Build.DiagonalOfDiagonalArray(lambda) * q.Transpose());
        }).ToList());
    }

    protected override double Margin(double[] point) => SvecReference.ToMatrix(point, K).Evd(Symmetricity.Symmetric).EigenValues.Real().Min();

    [Fact]
    public void Lambda_IsDiagonal_WithTheSquareRootsOfTheEigenvaluesOfSZ()
    {
        // λ∘λ = Λ² is similar to SZ (Λ² = RᵀZR·R⁻¹SR⁻ᵀ = Rᵀ(ZS)R⁻ᵀ), so Λᵢ² are the eigenvalues of SZ.
        var (s, z) = (Interior(40), Interior(41));
        var lambda = ConeChecks.Rows(Cone.Scale(s, z).Lambda);
        var sRows = ConeChecks.Rows(s);
        var zRows = ConeChecks.Rows(z);
        double worst = 0;
        for (int i = 0; i < lambda.Length; i++)
        {
            var matrix = SvecReference.ToMatrix(lambda[i], K);
            var offDiagonal = (matrix - Matrix<double>.Build.DiagonalOfDiagonalVector(matrix.Diagonal())).Enumerate().Max(Math.Abs);
            Assert.Equal(0.0, offDiagonal);
            var expected = (SvecReference.ToMatrix(sRows[i], K) * SvecReference.ToMatrix(zRows[i], K)).Evd().EigenValues.Real().Select(Math.Sqrt).Order().ToArray();
            var actual = matrix.Diagonal().Order().ToArray();
            worst = Math.Max(worst, expected.Zip(actual, (e, a) => Math.Abs(e - a) / Math.Max(1, e)).Max());
        }
        Output.WriteLine($"Λ vs √eig(SZ): worst relative error {worst:E2}");
        Assert.True(worst <= 1e-12, $"Λ differs from √eig(SZ) by {worst:G3}");
    }

    [Fact]
    public void W_IsNotSymmetric_SoLambdaIsWInverseTransposeS_NotWInverseS()
    {
        // R = L_sVΛ^{−1/2} is not symmetric, so W ≠ Wᵀ and W⁻¹s ≠ λ in general; Hs = WᵀW is symmetric all the same.
        var (s, z) = (Interior(44), Interior(45));
        var w = Cone.Scale(s, z);
        var dense = ScalingChecks.Dense(w.Apply, s);
        double asymmetry = ((dense - dense.transpose(1, 2)).abs().amax([1, 2]) / dense.abs().amax([1, 2])).min().item<double>();
        double inverseGap = ((w.ApplyInverse(s) - w.Lambda).abs().amax(1) / w.Lambda.abs().amax(1)).min().item<double>();
        Output.WriteLine($"smallest relative asymmetry of W {asymmetry:G4}, smallest |W⁻¹s − λ|/|λ| {inverseGap:G4}");
        Assert.True(asymmetry > 1e-3 && inverseGap > 1e-3);
        var hs = w.DenseHs();
        ScalingChecks.AssertClose(hs.transpose(1, 2), hs, 1e-15, Output, "Hs symmetric");
    }

    [Fact]
    public void Scale_GivesNaN_ForAnItemOutsideTheInterior()
    {
        var s = Interior(42);
        var z = Interior(43);
        s[1] = -s[1];
        var lambda = Cone.Scale(s, z).Lambda;
        Assert.True(lambda[1].isnan().all().item<bool>());
        Assert.False(lambda[0].isnan().any().item<bool>());
    }
}
