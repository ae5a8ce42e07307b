using DiffOpt.Native;
using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.ML.Tests;

/// <summary>
/// <see cref="TotalVariationQpModel"/>'s network solves the dual box QP of total variation. Its outputs and their
/// gradients must equal those of the primal QP in (z, t), min ½‖z − x‖² + λ·1ᵀt s.t. −t ≤ Dz ≤ t, written out here
/// independently with <see cref="QpFunction"/>.
/// </summary>
public class TotalVariationDualFormTests
{
    private static readonly QpSolverOptions Tight = new() { Tolerance = 1e-11, RelativeTolerance = 0 };

    public static TheoryData<DifferenceOperatorInit, double, int> Cases => new()
    {
        { DifferenceOperatorInit.FirstDifference, 0.2, 6 },
        { DifferenceOperatorInit.FirstDifference, 2.0, 4 }, // large λ: most differences are zero
        { DifferenceOperatorInit.Random, 0.3, 5 },
        { DifferenceOperatorInit.Random, 0.05, 7 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void OutputsAndGradients_EqualThoseOfThePrimalForm(DifferenceOperatorInit init, double lambda, int n)
    {
        using var scope = NewDisposeScope();
        var model = new TotalVariationQpModel { DifferenceInit = init, InitialRegularization = lambda };
        using var network = model.CreateNetwork(new NetworkContext(n, n, ScalarType.Float64, Seed: 5, Tight));
        random.manual_seed(n);
        var x = randn(3, n, dtype: ScalarType.Float64);
        var weights = randn(3, n, dtype: ScalarType.Float64);
        var parameters = network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var D = parameters["D"];
        var logLambda = parameters["log_lambda"];

        var dual = network.call(x);
        dual.mul(weights).sum().backward();
        var dualGradD = D.grad!.clone();
        var dualGradLogLambda = logLambda.grad!.clone();
        D.grad!.zero_();
        logLambda.grad!.zero_();

        var primal = Primal(x, D, logLambda.exp().expand(x.shape[0], D.shape[0]));
        primal.mul(weights).sum().backward();

        Assert.True(dual.allclose(primal, rtol: 0, atol: 1e-7), $"outputs differ by {(dual - primal).abs().max().item<double>():E2}");
        Assert.True(dualGradD.allclose(D.grad!, rtol: 1e-5, atol: 1e-6), $"dD differs by {(dualGradD - D.grad!).abs().max().item<double>():E2}");
        Assert.True(dualGradLogLambda.allclose(logLambda.grad!, rtol: 1e-5, atol: 1e-6),
            $"dlogλ: dual {dualGradLogLambda.item<double>()} vs primal {logLambda.grad!.item<double>()}");
    }

    [Fact]
    public void AdaptiveWeights_SolveWeightedTotalVariation_WithItsGradients()
    {
        using var scope = NewDisposeScope();
        const int n = 6;
        var model = new TotalVariationQpModel { InitialRegularization = 0.3, LearnAdaptiveWeights = true, AdaptiveWeightWindow = 3 };
        using var network = model.CreateNetwork(new NetworkContext(n, n, ScalarType.Float64, Seed: 2, Tight));
        var parameters = network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var (D, logLambda, V, c) = (parameters["D"], parameters["log_lambda"], parameters["weight_map.weight"], parameters["weight_map.bias"]);
        random.manual_seed(11);
        using (no_grad())
        {
            // Away from the zero start, so that every weight differs per difference and per signal.
            V.copy_(randn(1, 1, 3, dtype: ScalarType.Float64).Times(0.5));
            c.copy_(randn(1, dtype: ScalarType.Float64).Times(0.5));
        }
        var x = randn(3, n, dtype: ScalarType.Float64);
        var outputWeights = randn(3, n, dtype: ScalarType.Float64);

        var dual = network.call(x);
        dual.mul(outputWeights).sum().backward();
        var dualGrads = new[] { D, logLambda, V, c }.Select(t => t.grad!.clone()).ToArray();
        network.zero_grad();

        // λᵢ(x) = λ·exp(c + Σ_{|k|≤1} V_k |(Dx)ᵢ₊ₖ|) (zero beyond the ends), the documented weights, written out in
        // the primal form min ½‖z − x‖² + Σᵢ λᵢ tᵢ, −t ≤ Dz ≤ t.
        var absDx = x.matmul(D.t()).abs();
        var padded = nn.functional.pad(absDx, [1, 1]);
        var window = V.view(3);
        var lambdas = (padded.narrow(1, 0, n - 1) * window[0]).Plus(padded.narrow(1, 1, n - 1) * window[1]).Plus(padded.narrow(1, 2, n - 1) * window[2])
            .Plus(c).Plus(logLambda).exp();
        var primal = Primal(x, D, lambdas);
        primal.mul(outputWeights).sum().backward();

        Assert.True(dual.allclose(primal, rtol: 0, atol: 1e-7), $"outputs differ by {(dual - primal).abs().max().item<double>():E2}");
        var names = new[] { "D", "log_lambda", "V", "c" };
        var primalGrads = new[] { D, logLambda, V, c };
        for (int i = 0; i < names.Length; i++)
            Assert.True(dualGrads[i].allclose(primalGrads[i].grad!, rtol: 1e-5, atol: 1e-6),
                $"d{names[i]} differs by {(dualGrads[i] - primalGrads[i].grad!).abs().max().item<double>():E2}");
    }

    [Fact]
    public void RandomInit_HasOptNetsScale()
    {
        using var network = new TotalVariationQpModel { DifferenceInit = DifferenceOperatorInit.Random }
            .CreateNetwork(new NetworkContext(60, 60, ScalarType.Float64, Seed: 1, QpSolverOptions.Default));
        var D = network.named_parameters().Single(p => p.name == "D").parameter;
        Assert.Equal(new long[] { 59, 60 }, D.shape);
        Assert.InRange(D.std().item<double>(), 0.28, 0.32); // 3,540 entries of 0.3·N(0, 1)
        Assert.InRange(D.mean().item<double>(), -0.02, 0.02);
    }

    /// <summary>z of the primal QP in y = (z, t): Q = diag(I, 0), p = (−x, λ), [D −I; −D −I]·y ≤ 0, with λ (B,m) per difference.</summary>
    private static Tensor Primal(Tensor x, Tensor D, Tensor lambdas)
    {
        long n = x.shape[1], m = D.shape[0];
        var Q = diag(cat([ones(n, dtype: x.dtype), zeros(m, dtype: x.dtype)]));
        var p = cat([x.neg(), lambdas], 1);
        var identity = eye(m, dtype: x.dtype);
        var G = cat([cat([D, identity.neg()], 1), cat([D.neg(), identity.neg()], 1)], 0);
        var y = QpFunction.Apply(Q, p, G, zeros(2 * m, dtype: x.dtype), null, null, Tight);
        return y.narrow(1, 0, n);
    }
    /// <summary>
    /// With <see cref="TotalVariationQpModel.DifferenceBandwidth"/> = k, D starts and stays zero outside its k-band
    /// (so Q = DDᵀ is banded and the solver factorises it banded), and the network equals a dense-D network holding
    /// the same D: the same outputs, and the dense gradient restricted to the band.
    /// </summary>
    [Theory]
    [InlineData(DifferenceOperatorInit.FirstDifference, 1)]
    [InlineData(DifferenceOperatorInit.Random, 2)]
    public void BandedDifferences_EqualTheDenseNetworkWithTheSameD_AndStayBanded(DifferenceOperatorInit init, int bandwidth)
    {
        using var scope = NewDisposeScope();
        const int n = 14;
        var banded = new TotalVariationQpModel { DifferenceInit = init, InitialRegularization = 0.4, LearnAdaptiveWeights = true, AdaptiveWeightWindow = 3, DifferenceBandwidth = bandwidth };
        using var bandedNetwork = banded.CreateNetwork(new NetworkContext(n, n, ScalarType.Float64, Seed: 3, Tight));
        using var denseNetwork = (banded with { DifferenceBandwidth = null }).CreateNetwork(new NetworkContext(n, n, ScalarType.Float64, Seed: 3, Tight));
        var bandedD = bandedNetwork.named_parameters().Single(p => p.name == "D").parameter;
        var denseD = denseNetwork.named_parameters().Single(p => p.name == "D").parameter;
        var columns = ScalarSafeOperations.With(n, s => arange(ScalarSafeOperations.Zero, s, ScalarSafeOperations.One, dtype: ScalarType.Int64));
        var rows = ScalarSafeOperations.With(n - 1, s => arange(ScalarSafeOperations.Zero, s, ScalarSafeOperations.One, dtype: ScalarType.Int64));
        var offset = columns.unsqueeze(0) - rows.unsqueeze(1);
        var outside = offset.lt(ScalarSafeOperations.Zero) | ScalarSafeOperations.With(bandwidth, offset.gt);
        Assert.True(bandedD.masked_select(outside).eq(ScalarSafeOperations.Zero).all().item<bool>(), "D starts outside its band");
        using (no_grad()) denseD.copy_(bandedD);

        random.manual_seed(4);
        var x = randn(5, n, dtype: ScalarType.Float64).Times(3L);
        var weights = randn(5, n, dtype: ScalarType.Float64);
        var bandedOut = bandedNetwork.call(x);
        bandedOut.mul(weights).sum().backward();
        var denseOut = denseNetwork.call(x);
        denseOut.mul(weights).sum().backward();

        Assert.True(bandedOut.allclose(denseOut, rtol: 0, atol: 1e-7), $"outputs differ by {(bandedOut - denseOut).abs().max().item<double>():E2}");
        var expectedGrad = denseD.grad!.FilledWhere(outside, 0.0);
        Assert.True(bandedD.grad!.allclose(expectedGrad, rtol: 1e-5, atol: 1e-6), $"dD differs by {(bandedD.grad! - expectedGrad).abs().max().item<double>():E2}");
        Assert.True(expectedGrad.abs().max().item<double>() > 0, "zero gradient");
        Assert.True(bandedD.grad!.masked_select(outside).eq(ScalarSafeOperations.Zero).all().item<bool>(), "the gradient leaves the band");
    }
}
