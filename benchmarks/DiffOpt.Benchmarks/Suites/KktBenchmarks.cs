using BenchmarkDotNet.Attributes;
using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.InteriorPoint;

namespace DiffOpt.Benchmarks.Suites;

/// <summary>
/// The linear algebra of the interior-point method for each KKT solver: Ruiz scaling, setting a solver up, factoring
/// for one iteration's inequality weights, and a factorisation followed by a refined solve.
/// </summary>
public class KktBenchmarks : BatchSuite
{
    private ScaledQp _scaled = null!;
    private NumericLimits _limits = null!;
    private KktSolver _kkt = null!;
    private KktParameters _parameters = null!;
    private KktVector _rhs = null!;
    private Tensor _noShift = null!;

    /// <summary>Which KKT solver: Primal (n×n Schur complement) or InequalitySchur (m×m, strongly convex batches).</summary>
    [Params("Primal", "InequalitySchur")]
    public string Kind { get; set; } = "Primal";

    /// <summary>Builds the scaled problem, the solver, a positive inequality block and a right-hand side.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var (b, n, m, p) = CreateBatch();
        (_, _scaled) = RuizEquilibration.Apply(Problem, QpSolverOptions.Default.EquilibrationIterations);
        _limits = NumericLimits.For(ScalarType.Float64);
        _kkt = CreateSolver();
        var generator = new Generator(1);
        var w = rand([b, m], dtype: ScalarType.Float64, generator: generator) + 1e-2;
        var (rho, delta) = _kkt.FixedRegularization ?? (full(b, 1e-6, ScalarType.Float64), full(b, 1e-4, ScalarType.Float64));
        _parameters = new KktParameters(rho, delta, w);
        _rhs = new KktVector(
            randn([b, n], dtype: ScalarType.Float64, generator: generator),
            randn([b, p], dtype: ScalarType.Float64, generator: generator),
            randn([b, m], dtype: ScalarType.Float64, generator: generator));
        _noShift = zeros(b, ScalarType.Float64);
    }

    private KktSolver CreateSolver() => Kind switch
    {
        "Primal" => new PrimalKktSolver(_scaled),
        "InequalitySchur" => InequalitySchurKktSolver.TryCreate(_scaled, _limits)
            ?? throw new InvalidOperationException("The benchmark batch does not suit the inequality Schur form."),
        _ => throw new ArgumentException($"Kind '{Kind}' is not a KKT solver; expected Primal or InequalitySchur.", nameof(Kind)),
    };

    /// <summary>Ruiz equilibration of the whole batch (default passes).</summary>
    [Benchmark]
    public void Equilibrate()
    {
        using var scope = NewDisposeScope();
        RuizEquilibration.Apply(Problem, QpSolverOptions.Default.EquilibrationIterations);
    }

    /// <summary>Setting the solver up (for InequalitySchur: H's Cholesky factor and G H⁻¹ Gᵀ, once per solve).</summary>
    [Benchmark]
    public void Create()
    {
        using var scope = NewDisposeScope();
        CreateSolver();
    }

    /// <summary>Forming and factoring the iteration's matrix (one batched Cholesky).</summary>
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
