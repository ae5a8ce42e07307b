using DataPoisoning.Attack;
using DataPoisoning.Data;
using DataPoisoning.Model;
using static TorchSharp.torch;

namespace DiffOpt.Samples.Tests.DataPoisoning;

public class LogisticLayerTests
{
    /// <summary>
    /// An independent solution: FISTA (Beck and Teboulle 2009) on f(θ, β) = (1/N) Σ softplus(−lᵢ(xᵢᵀθ + β)) + μ‖θ‖²
    /// with the proximal step of λ‖θ‖₁ (soft thresholding), step 1/L for L = ‖[X 1]‖²_F / (4N) + 2μ.
    /// </summary>
    private static (double[] Theta, double Beta) Fista(double[,] x, double[] l, double lambda, double mu, int iterations = 20000)
    {
        int n = l.Length, d = x.GetLength(1);
        double frob = 0;
        foreach (var v in x) frob += v * v;
        double step = 1 / ((frob + n) / (4.0 * n) + 2 * mu);
        var w = new double[d + 1];
        var previous = new double[d + 1];
        var y = new double[d + 1];
        double t = 1;
        for (int k = 0; k < iterations; k++)
        {
            var grad = new double[d + 1];
            for (int i = 0; i < n; i++)
            {
                double score = y[d];
                for (int j = 0; j < d; j++) score += x[i, j] * y[j];
                double s = -l[i] / (1 + Math.Exp(l[i] * score)) / n; // d/dscore softplus(−l·score) / N
                for (int j = 0; j < d; j++) grad[j] += s * x[i, j];
                grad[d] += s;
            }
            for (int j = 0; j < d; j++) grad[j] += 2 * mu * y[j];
            Array.Copy(w, previous, d + 1);
            for (int j = 0; j <= d; j++)
            {
                double z = y[j] - step * grad[j];
                w[j] = j == d ? z : Math.Sign(z) * Math.Max(Math.Abs(z) - step * lambda, 0);
            }
            double next = (1 + Math.Sqrt(1 + 4 * t * t)) / 2;
            for (int j = 0; j <= d; j++) y[j] = w[j] + (t - 1) / next * (w[j] - previous[j]);
            t = next;
        }
        return (w[..d], w[d]);
    }

    private static double[,] Matrix(Tensor t)
    {
        var values = t.cpu().data<double>().ToArray();
        var m = new double[t.shape[0], t.shape[1]];
        Buffer.BlockCopy(values, 0, m, 0, values.Length * sizeof(double));
        return m;
    }

    [Theory]
    [InlineData(30, 2, 0.01, 1)]
    [InlineData(40, 5, 0.1, 2)]
    public void TheLayersClassifier_MatchesAnIndependentProximalGradientSolution(int points, int features, double lambda, int seed)
    {
        var (train, _) = PoisoningData.Generate(2 * points, features, seed);
        using var layer = new LogisticLayer(train.Labels, features, lambda, lambda);
        var (theta, beta) = layer.Fit(train.Features);
        var (expectedTheta, expectedBeta) = Fista(Matrix(train.Features), train.Labels.data<double>().ToArray(), lambda, lambda);
        var actual = theta.data<double>().ToArray();
        for (int j = 0; j < features; j++)
            Assert.True(Math.Abs(actual[j] - expectedTheta[j]) < 1e-4, $"theta[{j}]: layer {actual[j]}, FISTA {expectedTheta[j]}");
        Assert.True(Math.Abs(beta.item<double>() - expectedBeta) < 1e-4, $"beta: layer {beta.item<double>()}, FISTA {expectedBeta}");
    }

    [Fact]
    public void TheGradientWithRespectToTrainingPoints_AgreesWithCentralDifferences()
    {
        var (train, test) = PoisoningData.Generate(40, 2, seed: 3);
        using var layer = new LogisticLayer(train.Labels, 2, 0.01, 0.01);
        var (_, gradient) = GradientCheck.Gradient(layer, train.Features, test);
        var fd = GradientCheck.FiniteDifferences(layer, train.Features, test, 1e-2);
        Assert.True(gradient.abs().max().item<double>() > 1e-4, "the gradient should not vanish");
        double error = GradientCheck.RelativeError(gradient, fd);
        Assert.True(error < 2e-3, $"relative error {error}");
    }

    [Fact]
    public void TheAttack_MovesOnlyKPointsWithinTheBudget_AndRaisesTheTestLoss()
    {
        var (train, test) = PoisoningData.Generate(40, 2, seed: 4);
        using var layer = new LogisticLayer(train.Labels, 2, 0.01, 0.01);
        var result = PoisoningAttack.Run(layer, train, test, k: 2, budget: 0.5, steps: 4);
        var moved = (result.Poisoned - train.Features).norm(1).data<double>().ToArray();
        Assert.Equal(2, result.Points.Length);
        for (int i = 0; i < moved.Length; i++)
        {
            if (result.Points.Contains(i)) Assert.True(moved[i] <= 0.5 + 1e-9 && moved[i] > 0.1, $"point {i} moved {moved[i]}");
            else Assert.Equal(0, moved[i]);
        }
        Assert.True(result.LossRealised > result.LossBefore, $"{result.LossBefore} -> {result.LossRealised}");
        Assert.True(result.LossPredicted > result.LossBefore);
    }
}
