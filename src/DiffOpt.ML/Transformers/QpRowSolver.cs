using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.ML;

/// <summary>Solves the QP of one row with the fixed data of <see cref="QpSolvingSettings"/> (float64, on the CPU).</summary>
internal sealed class QpRowSolver
{
    /// <summary>Status text for a row with a NaN or infinite input value.</summary>
    public const string NonFiniteInput = "NonFiniteInput";

    private readonly QpSolvingSettings _settings;
    private readonly QpSolver _solver;

    public QpRowSolver(QpSolvingSettings settings)
    {
        _settings = settings;
        _solver = new QpSolver(settings.SolverOptions);
    }

    /// <summary>
    /// Solves with the row's p (and h, b when they come from columns), writes z* (NaN when the problem has no
    /// solution) into <paramref name="solution"/> and returns the status text.
    /// </summary>
    public string Solve(double[] p, double[]? rowH, double[]? rowB, double[] solution)
    {
        var h = rowH ?? _settings.H;
        var b = rowB ?? _settings.B;
        if (!p.All(double.IsFinite) || (rowH is not null && !rowH.All(double.IsFinite)) || (rowB is not null && !rowB.All(double.IsFinite)))
        {
            Array.Fill(solution, double.NaN);
            return NonFiniteInput;
        }
        using var scope = NewDisposeScope();
        int n = _settings.VariableCount, m = _settings.InequalityCount, k = _settings.EqualityCount;
        var result = _solver.Solve(
            tensor(_settings.Q, [n, n], ScalarType.Float64),
            tensor(p, [n], ScalarType.Float64),
            m == 0 ? null : tensor(_settings.G, [m, n], ScalarType.Float64),
            m == 0 ? null : tensor(h!, [m], ScalarType.Float64),
            k == 0 ? null : tensor(_settings.A, [k, n], ScalarType.Float64),
            k == 0 ? null : tensor(b!, [k], ScalarType.Float64));
        var status = result.Status[0];
        if (status.HasSolution())
            result.X.cpu().data<double>().CopyTo(solution);
        else
            Array.Fill(solution, double.NaN);
        return status.ToString();
    }
}
