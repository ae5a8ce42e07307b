using DiffOpt.Modeling;
using static TorchSharp.torch;

namespace DiffOpt.ML.Convex;

/// <summary>
/// Solves the problems of a block of rows as one batch (float64, CPU). Rows with NaN/infinite values, or values
/// that break a parameter's declared sign, are set aside with their own status so they cannot fail the batch.
/// </summary>
internal sealed class ConvexRowSolver
{
    private readonly ConvexSolvingSettings _settings;

    public ConvexRowSolver(ConvexSolvingSettings settings)
    {
        _settings = settings;
        InputSizes = settings.Inputs.Select(i => i.Parameter.Shape.Size).ToArray();
        OutputSizes = settings.Outputs.Select(o => o.Variable.Shape.Size).ToArray();
    }

    /// <summary>Entries per row of each input column.</summary>
    public int[] InputSizes { get; }

    /// <summary>Entries per row of each output column.</summary>
    public int[] OutputSizes { get; }

    /// <summary>
    /// Solves rows 0 … count − 1 whose inputs are stored row after row in <paramref name="inputs"/> (one array per
    /// input column); writes each output (NaN for a row without a solution) and the status key (<see cref="SolverStatusColumn"/>).
    /// </summary>
    public void Solve(int count, double[][] inputs, double[][] outputs, uint[] status)
    {
        for (int o = 0; o < outputs.Length; o++)
            outputs[o].AsSpan(0, count * OutputSizes[o]).Fill(double.NaN);
        var rows = new List<int>();
        for (int r = 0; r < count; r++)
        {
            status[r] = RowProblem(inputs, r);
            if (status[r] == 0) rows.Add(r);
        }
        if (rows.Count == 0) return;
        try
        {
            SolveRows(rows, inputs, outputs, status);
        }
        catch (ArgumentException) when (rows.Count > 1)
        {
            // One row's values were refused in a way the checks above do not foresee: solve the rows one by one.
            foreach (var r in rows)
                SolveAlone(r, inputs, outputs, status);
        }
        catch (ArgumentException)
        {
            status[rows[0]] = SolverStatusColumn.InvalidInputKey;
        }
    }

    private void SolveAlone(int row, double[][] inputs, double[][] outputs, uint[] status)
    {
        try
        {
            SolveRows([row], inputs, outputs, status);
        }
        catch (ArgumentException)
        {
            status[row] = SolverStatusColumn.InvalidInputKey;
        }
    }

    private void SolveRows(List<int> rows, double[][] inputs, double[][] outputs, uint[] status)
    {
        using var scope = NewDisposeScope();
        var values = new Dictionary<Parameter, Tensor>();
        for (int i = 0; i < inputs.Length; i++)
        {
            var p = _settings.Inputs[i].Parameter;
            values[p] = tensor(RowValues.Gather(inputs[i], rows, InputSizes[i]), [rows.Count, .. p.Shape.Dimensions], ScalarType.Float64);
        }
        var solution = _settings.Problem.Solve(values, _settings.SolverOptions);
        for (int o = 0; o < outputs.Length; o++)
        {
            int size = OutputSizes[o];
            var x = solution.Value(_settings.Outputs[o].Variable).reshape(rows.Count, size).cpu().data<double>().ToArray();
            for (int i = 0; i < rows.Count; i++)
                if (solution.Status[i].HasSolution())
                    Array.Copy(x, i * size, outputs[o], rows[i] * size, size);
        }
        for (int i = 0; i < rows.Count; i++)
            status[rows[i]] = SolverStatusColumn.KeyOf(solution.Status[i]);
    }

    /// <summary>The key of what rules the row out (non-finite or invalid input), or 0 when it can be solved.</summary>
    private uint RowProblem(double[][] inputs, int row)
    {
        uint problem = 0;
        for (int i = 0; i < inputs.Length && problem != SolverStatusColumn.NonFiniteInputKey; i++)
        {
            var found = RowValues.Problem(inputs[i].AsSpan(row * InputSizes[i], InputSizes[i]), [InputSizes[i]], [_settings.Inputs[i].Parameter.Nonnegative]);
            problem = found == 0 ? problem : found;
        }
        return problem;
    }
}
