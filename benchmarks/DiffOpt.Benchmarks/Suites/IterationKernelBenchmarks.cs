using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.InteriorPoint;

namespace DiffOpt.Benchmarks.Suites;

/// <summary>
/// The per-item CPU kernels of one interior-point iteration against the batched tensor forms they replace on the
/// CPU (which other devices still use): the scaled residuals and their measures, the check of a returned point on
/// the original data, Mehrotra's predictor-corrector step in the Schur form, and the regularisation update.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class IterationKernelBenchmarks : BatchSuite
{
    private ScaledQp _scaled = null!;
    private ResidualNormalizer _norm = null!;
    private InequalitySchurKktSolver _schur = null!;
    private KktParameters _factored = null!;
    private QpIterate _iterate = null!;
    private KktVector _residuals = null!;
    private Tensor _mu = null!;
    private RegularizationUpdate.State _state = null!;
    private RegularizationUpdate.Inputs _inputs = null!;
    private RegularizationUpdate.Settings _settings = null!;

    /// <summary>Scales the batch, factorises its Schur form for random weights, and draws an interior iterate.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var (b, n, m, p) = CreateBatch();
        var (scaling, scaled) = RuizEquilibration.Apply(Problem, QpSolverOptions.Default.EquilibrationIterations);
        _scaled = scaled;
        _norm = ResidualNormalizer.Create(scaled, scaling);
        _schur = InequalitySchurKktSolver.TryCreate(scaled, NumericLimits.For(ScalarType.Float64))
                 ?? throw new InvalidOperationException("The benchmark batch does not suit the inequality Schur form.");
        var generator = new Generator(3);
        Tensor Positive(long cols) => rand([b, cols], dtype: ScalarType.Float64, generator: generator) + 1e-2;
        Tensor Normal(long cols) => randn([b, cols], dtype: ScalarType.Float64, generator: generator);
        var (rho, delta) = _schur.FixedRegularization!.Value;
        _schur.Factor(new KktParameters(rho, delta, Positive(m)), zeros(b, ScalarType.Float64));
        _factored = _schur.Factored!;
        _iterate = new QpIterate(Normal(n), Normal(p), Positive(m), Positive(m));
        _residuals = new KktVector(Normal(n), Normal(p), Normal(m));
        _mu = (_iterate.S * _iterate.Z).mean([-1]);

        var res = QpResiduals.Evaluate(scaled, _norm, _iterate);
        _state = new RegularizationUpdate.State(full(b, 1e-6, ScalarType.Float64), full(b, 1e-4, ScalarType.Float64),
            zeros(b, ScalarType.Float64), zeros(b, ScalarType.Float64));
        _inputs = new RegularizationUpdate.Inputs(ones(b, ScalarType.Bool), res.Norms, res.Norms.Primal * 2, res.Norms.Dual * 2,
            _mu * 2, _mu, zeros(b, ScalarType.Float64), null, full(b, 1e-10, ScalarType.Float64));
        _settings = new RegularizationUpdate.Settings(6, true, 1e-9, 0, 1e-13, 0.9, 0.3);
    }

    /// <summary>Residuals and measures, batched tensor form.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("Residuals")]
    public void ResidualsBatched()
    {
        using var scope = NewDisposeScope();
        QpResiduals.Evaluate(_scaled, _norm, _iterate, useKernel: false);
    }

    /// <summary>Residuals and measures, per-item kernel.</summary>
    [Benchmark, BenchmarkCategory("Residuals")]
    public void ResidualsKernel()
    {
        using var scope = NewDisposeScope();
        QpResiduals.Evaluate(_scaled, _norm, _iterate);
    }

    /// <summary>The returned point's residuals on the original data, batched tensor form.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("SolutionCheck")]
    public void SolutionCheckBatched()
    {
        using var scope = NewDisposeScope();
        SolutionResiduals.Evaluate(Problem, _iterate.X, _iterate.Z, _iterate.Y, useKernel: false);
    }

    /// <summary>The returned point's residuals on the original data, per-item kernel.</summary>
    [Benchmark, BenchmarkCategory("SolutionCheck")]
    public void SolutionCheckKernel()
    {
        using var scope = NewDisposeScope();
        SolutionResiduals.Evaluate(Problem, _iterate.X, _iterate.Z, _iterate.Y);
    }

    /// <summary>Predictor-corrector step, batched tensor form (with the kernel solves).</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("Step")]
    public void StepBatched()
    {
        using var scope = NewDisposeScope();
        ProximalInteriorPoint.BatchedCorrectorStep(_schur, _factored, _iterate, _residuals, _mu, refinementSteps: 0);
    }

    /// <summary>Predictor-corrector step, one per-item pass.</summary>
    [Benchmark, BenchmarkCategory("Step")]
    public void StepKernel()
    {
        using var scope = NewDisposeScope();
        _schur.MehrotraStep(_iterate, _residuals, _mu, 0.99);
    }

    /// <summary>Regularisation update, batched tensor form.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("Regularization")]
    public void RegularizationBatched()
    {
        using var scope = NewDisposeScope();
        RegularizationUpdate.Apply(_state, _inputs, _settings, useKernel: false);
    }

    /// <summary>Regularisation update, one loop over the items.</summary>
    [Benchmark, BenchmarkCategory("Regularization")]
    public void RegularizationKernel()
    {
        using var scope = NewDisposeScope();
        RegularizationUpdate.Apply(_state, _inputs, _settings);
    }
}
