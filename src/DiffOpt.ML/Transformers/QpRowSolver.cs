using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.ML;

/// <summary>
/// Solves the QPs of a block of rows as one batch, with the fixed data of <see cref="QpSolvingSettings"/>
/// (float64, on the CPU).
/// </summary>
internal sealed class QpRowSolver
{
    private readonly QpSolvingSettings _settings;
    private readonly QpSolver _solver;

    public QpRowSolver(QpSolvingSettings settings)
    {
        _settings = settings;
        _solver = new QpSolver(settings.SolverOptions);
    }

    /// <summary>
    /// Solves rows 0 … count − 1 whose p (and h, b when they come from columns) are stored row after row in the
    /// arrays; writes each z* (NaN when the row's problem has no solution) and status key (see <see cref="SolverStatusColumn"/>).
    /// </summary>
    public void Solve(int count, double[] p, double[]? h, double[]? b, double[] solutions, uint[] status)
    {
        int n = _settings.VariableCount, m = _settings.InequalityCount, k = _settings.EqualityCount;
        var finite = Enumerable.Range(0, count)
            .Where(r => AllFinite(p, r, n) && (h is null || AllFinite(h, r, m)) && (b is null || AllFinite(b, r, k)))
            .ToArray();
        solutions.AsSpan(0, count * n).Fill(double.NaN);
        status.AsSpan(0, count).Fill(SolverStatusColumn.NonFiniteInputKey);
        if (finite.Length == 0)
            return;

        using var scope = NewDisposeScope();
        var result = _solver.Solve(
            tensor(_settings.Q, [n, n], ScalarType.Float64),
            Rows(p, finite, n),
            m == 0 ? null : tensor(_settings.G, [m, n], ScalarType.Float64),
            m == 0 ? null : h is null ? tensor(_settings.H!, [m], ScalarType.Float64) : Rows(h, finite, m),
            k == 0 ? null : tensor(_settings.A, [k, n], ScalarType.Float64),
            k == 0 ? null : b is null ? tensor(_settings.B!, [k], ScalarType.Float64) : Rows(b, finite, k));
        var x = result.X.cpu().data<double>().ToArray();
        for (var i = 0; i < finite.Length; i++)
        {
            var row = finite[i];
            status[row] = SolverStatusColumn.KeyOf(result.Status[i]);
            if (result.Status[i].HasSolution())
                Array.Copy(x, i * n, solutions, row * n, n);
        }
    }

    private static bool AllFinite(double[] values, int row, int width)
    {
        foreach (var value in values.AsSpan(row * width, width))
            if (!double.IsFinite(value))
                return false;
        return true;
    }

    private static Tensor Rows(double[] values, int[] rows, int width)
    {
        var selected = new double[rows.Length * width];
        for (var i = 0; i < rows.Length; i++)
            Array.Copy(values, rows[i] * width, selected, i * width, width);
        return tensor(selected, [rows.Length, width], ScalarType.Float64);
    }
}
