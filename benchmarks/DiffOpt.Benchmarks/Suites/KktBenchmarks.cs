using BenchmarkDotNet.Attributes;
using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Benchmarks.Suites;

/// <summary>The linear algebra of one interior-point iteration: Ruiz scaling, forming and factoring Φ, a refined KKT solve.</summary>
public class KktBenchmarks : BatchSuite
{
    private KktSystem _kkt = null!;
    private KktParameters _parameters = null!;
    private KktVector _rhs = null!;
    private Tensor _noShift = null!;

    /// <summary>Builds the scaled problem, a positive inequality block and a right-hand side.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var (b, n, m, p) = CreateBatch();
        var (_, scaled) = RuizEquilibration.Apply(Problem, QpSolverOptions.Default.EquilibrationIterations);
        _kkt = new KktSystem(scaled);
        var generator = new Generator(1);
        var w = rand([b, m], dtype: ScalarType.Float64, generator: generator) + 1e-2;
        _parameters = new KktParameters(full(b, 1e-6, ScalarType.Float64), full(b, 1e-4, ScalarType.Float64), w);
        _rhs = new KktVector(
            randn([b, n], dtype: ScalarType.Float64, generator: generator),
            randn([b, p], dtype: ScalarType.Float64, generator: generator),
            randn([b, m], dtype: ScalarType.Float64, generator: generator));
        _noShift = zeros(b, ScalarType.Float64);
    }

    /// <summary>Ten passes of Ruiz equilibration of the whole batch.</summary>
    [Benchmark]
    public void Equilibrate()
    {
        using var scope = NewDisposeScope();
        RuizEquilibration.Apply(Problem, QpSolverOptions.Default.EquilibrationIterations);
    }

    /// <summary>Form Φ = P + ρI + AᵀA/δ + GᵀW⁻¹G and factor it (one batched Cholesky).</summary>
    [Benchmark]
    public void Factor()
    {
        using var scope = NewDisposeScope();
        _kkt.Factor(_parameters, _noShift);
    }

    /// <summary>Factor, then one solve with one refinement step (what a predictor or corrector step costs).</summary>
    [Benchmark]
    public void FactorAndSolve()
    {
        using var scope = NewDisposeScope();
        _kkt.Factor(_parameters, _noShift);
        _kkt.Solve(_parameters, _rhs, refinementSteps: 1);
    }
}
