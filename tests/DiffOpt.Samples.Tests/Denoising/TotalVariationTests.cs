using Denoising.TotalVariation;
using DiffOpt.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Samples.Tests.Denoising;

public class TotalVariationTests
{
    private static readonly TotalVariationDenoiser Denoiser = new();

    private static double[] Denoise(double[] x, double lambda)
    {
        using var input = tensor(x, [1, x.Length], ScalarType.Float64);
        using var z = Denoiser.Denoise(input, lambda);
        return z.data<double>().ToArray();
    }

    private static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"entry {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void Step_MovesEachSideTowardTheOtherByLambdaOverItsLength()
    {
        // For a single step, TV keeps the jump and shifts each side by λ / (side length) while the jump stays positive.
        AssertClose([1, 1, 9, 9], Denoise([0, 0, 10, 10], 2), 1e-6);
        AssertClose([0.5, 0.5, 0.5, 4.5], Denoise([0, 0, 0, 6], 1.5), 1e-6);
    }

    [Fact]
    public void LargeLambda_GivesTheMean_ZeroLambdaTheInput()
    {
        AssertClose([4, 4, 4, 4], Denoise([1, 5, 2, 8], 100), 1e-6);
        AssertClose([1, 5, 2, 8], Denoise([1, 5, 2, 8], 0), 0);
    }

    [Fact]
    public void Solutions_CarryAnOptimalityCertificate()
    {
        // Weak duality: for z = x − Dᵀu with ‖u‖∞ ≤ λ, the primal value ½‖z − x‖² + λ‖Dz‖₁ exceeds the optimum by at
        // most the gap Σᵢ (λ|(Dz)ᵢ| − uᵢ(Dz)ᵢ) ≥ 0. u is recovered from z alone: (Dᵀu)ⱼ = uⱼ₋₁ − uⱼ, so
        // uⱼ = −Σ_{k≤j} (xₖ − zₖ), and Σ(x − z) = 0 must hold for such a u to exist. The solver stops at residuals of
        // 1e-8 and u sums up to n − 1 entries of z, so the box and the sum hold to about n·1e-8.
        torch.manual_seed(1);
        const int batch = 6, n = 30;
        const double lambda = 4;
        using var x = torch.randn(batch, n, dtype: ScalarType.Float64).Times(5L).cumsum(1);
        using var z = Denoiser.Denoise(x, lambda);
        var xs = x.data<double>().ToArray();
        var zs = z.data<double>().ToArray();
        for (int b = 0; b < batch; b++)
        {
            double u = 0, gap = 0, objective = 0;
            for (int j = 0; j < n - 1; j++)
            {
                u -= xs[b * n + j] - zs[b * n + j];
                Assert.InRange(u, -lambda - 1e-7, lambda + 1e-7);
                double jump = zs[b * n + j + 1] - zs[b * n + j];
                gap += lambda * Math.Abs(jump) - u * jump;
                objective += lambda * Math.Abs(jump);
            }
            Assert.Equal(0, u - (xs[b * n + n - 1] - zs[b * n + n - 1]), 1e-7);
            for (int j = 0; j < n; j++) objective += 0.5 * Math.Pow(zs[b * n + j] - xs[b * n + j], 2);
            Assert.True(gap <= 1e-6 * objective, $"item {b}: duality gap {gap} for objective {objective}");
        }
    }

    [Fact]
    public void BatchedSolves_EqualOneAtATime_AcrossChunks()
    {
        torch.manual_seed(2);
        using var x = torch.randn(5, 12, dtype: ScalarType.Float64).Times(10L);
        using var together = new TotalVariationDenoiser(chunkSize: 2).Denoise(x, 3);
        for (int i = 0; i < 5; i++)
        {
            using var alone = Denoiser.Denoise(x[i].unsqueeze(0), 3);
            Assert.True(alone.allclose(together[i].unsqueeze(0), rtol: 0, atol: 1e-6));
        }
    }

    [Fact]
    public void Difference_IsForwardDifferences()
    {
        using var d = TotalVariationDenoiser.Difference(3);
        Assert.Equal([-1.0, 1, 0, 0, -1, 1], d.data<double>().ToArray());
    }

    [Fact]
    public void BadInput_ThrowsNamingTheArgument()
    {
        using var x = torch.zeros(2, 5);
        Assert.Equal("lambda", Assert.Throws<ArgumentException>(() => Denoiser.Denoise(x, -1)).ParamName);
        Assert.Equal("lambda", Assert.Throws<ArgumentException>(() => Denoiser.Denoise(x, double.NaN)).ParamName);
        using var flat = torch.zeros(5);
        Assert.Equal("noisy", Assert.Throws<ArgumentException>(() => Denoiser.Denoise(flat, 1)).ParamName);
    }

    [Fact]
    public void MeanSquaredError_AveragesOverSignalsAndSamples()
    {
        using var a = tensor(new float[] { 1, 2, 3, 4 }, [2, 2]);
        using var b = tensor(new float[] { 1, 0, 3, 0 }, [2, 2]);
        Assert.Equal((4 + 16) / 4.0, SignalMetrics.MeanSquaredError(a, b), 12);
        using var c = torch.zeros(4);
        Assert.Throws<ArgumentException>(() => SignalMetrics.MeanSquaredError(a, c));
    }

    [Fact]
    public void Sweep_FindsTheBestLambdaOfAFineGrid()
    {
        torch.manual_seed(4);
        // Piecewise-constant signals of length 20 with noise.
        using var clean = torch.repeat_interleave(torch.randint(10, 100, [8, 4], dtype: ScalarType.Float64), 5, dim: 1);
        using var noisy = clean.Plus(torch.randn(8, 20, dtype: ScalarType.Float64).Times(10L));
        var (tried, best) = LambdaSweep.Run(Denoiser, noisy, clean, [5, 10, 15, 20, 25, 30, 35, 40], tolerance: 0.5);
        Assert.Equal(tried.MinBy(t => t.Mse).Lambda, best);
        double bestMse = tried.MinBy(t => t.Mse).Mse;
        foreach (double lambda in Enumerable.Range(0, 81).Select(i => i * 0.5))
        {
            using var z = Denoiser.Denoise(noisy, lambda);
            Assert.True(bestMse <= SignalMetrics.MeanSquaredError(z, clean) + 0.05, $"lambda {lambda} beats the sweep's {best}");
        }
    }
}
