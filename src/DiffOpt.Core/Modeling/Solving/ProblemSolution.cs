using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Modeling;

/// <summary>The result of <see cref="Problem.Solve"/>: per-item statuses and optimal values, and each variable's values.</summary>
public sealed class ProblemSolution
{
    private readonly ParametricConeProgram _program;
    private readonly ProgramResult _result;
    private readonly bool _batched;

    internal ProblemSolution(ParametricConeProgram program, ParameterBatch batch, ProgramResult result)
        : this(program, batch, result, program.SquaredOffsets.Select(o =>
        {
            var g = o.G.Apply(batch.Theta1);
            return (g.dim() == 1 ? g.unsqueeze(0) : g).pow(ScalarSafeOperations.Two).sum(1).Times(o.Weight);
        }).ToList())
    {
    }

    private ProblemSolution(ParametricConeProgram program, ParameterBatch batch, ProgramResult result, List<Tensor> offsets)
    {
        _program = program;
        _result = result;
        _batched = batch.Batched;
        var x = result.X;
        var value = (x * (result.C.dim() == 1 ? result.C.unsqueeze(0) : result.C)).sum(1);
        if (result.PValues is { } pValues)
        {
            // ½xᵀPx = ½ Σ_k P[i_k, j_k]·x[i_k]·x[j_k] over the P map's support.
            var entries = program.P!.Entries(program.VariableCount, x.device);
            value = value.Plus((pValues * x.index_select(1, entries.Rows) * x.index_select(1, entries.Columns)).sum(1).Times(0.5));
        }
        value = value.Plus(result.D.reshape(-1, 1).squeeze(1));
        foreach (var o in offsets) value = value.Plus(o);
        OptimalValue = value.Times(program.ObjectiveSign).to(ScalarType.Float64).cpu().data<double>().ToArray();
    }

    /// <summary>Status of each item (one item when no parameter value was batched).</summary>
    public IReadOnlyList<SolverStatus> Status => _result.Status;

    /// <summary>The objective's value at the returned point, per item (meaningful for items with a solution).</summary>
    public IReadOnlyList<double> OptimalValue { get; }

    /// <summary>The values of <paramref name="variable"/>: its shape, with a leading batch dimension when the parameters were batched.</summary>
    /// <exception cref="ArgumentException">The variable is not part of the problem.</exception>
    public Tensor Value(Variable variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        if (!_program.VariableColumns.TryGetValue(variable, out int first))
            throw new ArgumentException($"Variable '{variable.Name}' is not part of the problem.", nameof(variable));
        var slice = _result.X.narrow(1, first, variable.Shape.Size);
        return _batched ? slice.reshape([slice.shape[0], .. variable.Shape.Dimensions]) : slice[0].reshape(variable.Shape.Dimensions);
    }
}
