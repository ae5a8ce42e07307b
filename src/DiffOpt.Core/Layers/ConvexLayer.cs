using DiffOpt.Native;
using DiffOpt.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Layers;

/// <summary>
/// A differentiable convex optimisation layer (cvxpylayers' CvxpyLayer for TorchSharp): given values of a DPP
/// problem's parameters it returns the optimal values of chosen variables, differentiable in the parameters. The
/// problem is compiled once into a parametric cone program whose data are a sparse affine map of the parameters; a
/// forward pass maps a batch of parameters to data by one sparse × dense product per data block and solves it
/// (QPs/LPs with the QP solver, other problems with the cone solver). Optionally it also returns the duals of chosen
/// constraints, differentiable too (the cone solver then serves every problem).
/// </summary>
/// <remarks>
/// Dual conventions are cvxpy's, for the problem as minimised (a maximisation minimises −objective): λ ≥ 0 for
/// <c>a &lt;= b</c> and <c>b &gt;= a</c> with Lagrangian f + λᵀ(a − b); ν for <c>a == b</c> with f + νᵀ(a − b); for
/// <c>Constraint.SecondOrderCone(t, x)</c> and <c>Constraint.Psd(X)</c> a dual z in the cone with f − ⟨z, (t, x)⟩ and
/// f − ⟨Z, X⟩ (Z symmetric).
/// </remarks>
public sealed class ConvexLayer : nn.Module<Tensor[], Tensor[]>
{
    private readonly ParametricConeProgram _program;
    private readonly int[] _order;   // layer argument index of each program parameter
    private readonly RetainedWarmStart _warmStart = new();
    private readonly ConstraintRows[] _dualRows;

    /// <summary>Compiles <paramref name="problem"/> into a layer.</summary>
    /// <param name="problem">A DPP problem.</param>
    /// <param name="parameters">Every parameter of the problem, in the order <see cref="forward(Tensor[])"/> takes their values.</param>
    /// <param name="variables">The variables whose values <see cref="forward(Tensor[])"/> returns, in this order.</param>
    /// <param name="options">Solver settings (the defaults when null).</param>
    /// <param name="duals">Constraints of the problem whose duals <see cref="forward(Tensor[])"/> returns after the
    /// variables, each shaped as its constraint (see the remarks for the conventions); null or empty for none.</param>
    /// <exception cref="DcpException">The problem is not DCP.</exception>
    /// <exception cref="DppException">The problem is not DPP.</exception>
    /// <exception cref="ArgumentException">The parameter list does not match the problem's, or a variable or a dual's constraint is not in it.</exception>
    public ConvexLayer(Problem problem, IReadOnlyList<Parameter> parameters, IReadOnlyList<Variable> variables, ConvexLayerOptions? options = null,
        IReadOnlyList<Constraint>? duals = null)
        : base(nameof(ConvexLayer))
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(variables);
        _program = problem.Compile();
        // Plain loops, not LINQ over tuples: their one-time JIT is a visible part of the first layer build.
        var index = new Dictionary<Parameter, int>(parameters.Count);
        for (int i = 0; i < parameters.Count; i++)
            if (!index.TryAdd(parameters[i], i)) throw new ArgumentException("A parameter is listed twice.", nameof(parameters));
        foreach (var p in parameters)
            if (!_program.ParameterSlots.ContainsKey(p))
                throw new ArgumentException($"Parameter '{p.Name}' does not occur in the problem.", nameof(parameters));
        _order = new int[_program.Parameters.Count];
        for (int k = 0; k < _order.Length; k++)
            _order[k] = index.TryGetValue(_program.Parameters[k], out int i) ? i
                : throw new ArgumentException($"The problem's parameter '{_program.Parameters[k].Name}' is missing from the layer's parameters.", nameof(parameters));
        foreach (var v in variables)
            if (v is null || !_program.VariableColumns.ContainsKey(v))
                throw new ArgumentException($"Variable '{v?.Name}' does not occur in the problem.", nameof(variables));
        Duals = duals?.ToArray() ?? [];
        _dualRows = new ConstraintRows[Duals.Count];
        for (int k = 0; k < _dualRows.Length; k++)
            _dualRows[k] = Duals[k] is { } c && _program.ConstraintRows.TryGetValue(c, out var rows) ? rows
                : throw new ArgumentException($"Constraint '{Duals[k]}' is not one of the problem's constraints.", nameof(duals));
        Parameters = parameters.ToArray();
        Variables = variables.ToArray();
        Options = options ?? ConvexLayerOptions.Default;
        Options.Cone.Validate();
        Options.Qp.Validate();
    }

    /// <summary>The parameters, in the order <see cref="forward(Tensor[])"/> takes their values.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The variables returned by <see cref="forward(Tensor[])"/>.</summary>
    public IReadOnlyList<Variable> Variables { get; }

    /// <summary>The constraints whose duals <see cref="forward(Tensor[])"/> returns after the variables.</summary>
    public IReadOnlyList<Constraint> Duals { get; }

    /// <summary>The solver settings.</summary>
    public ConvexLayerOptions Options { get; }

    /// <summary>True when the canonical program has only zero and nonnegative cones (solved by the QP solver unless disabled).</summary>
    public bool IsQp => _program.IsQp;

    /// <summary>The status of each item of the last forward pass (items without a solution get zero gradient).</summary>
    public IReadOnlyList<SolverStatus> LastStatus { get; private set; } = [];

    /// <summary>Interior-point iterations per batch item of the last <see cref="forward(Tensor[])"/> call.</summary>
    public IReadOnlyList<int> LastIterations { get; private set; } = [];

    /// <summary>
    /// Per batch item of the last cone-route forward pass: its derivative system was singular (a non-unique or degenerate
    /// solution), so its gradients take the minimum-norm least-squares path; empty after a QP-route pass.
    /// </summary>
    internal IReadOnlyList<bool> LastLeastSquares { get; private set; } = [];

    /// <summary>The QP solver's report of the last QP-route forward pass (its backward residuals after backward), else null.</summary>
    internal Qp.QpSolveReport? LastQpReport { get; private set; }

    /// <summary>Solves for the given parameter values (the first, then the rest); see <see cref="forward(Tensor[])"/>.</summary>
    /// <param name="first">The value of the first parameter.</param>
    /// <param name="rest">The values of the other parameters, in order.</param>
    /// <exception cref="ArgumentException">A value is missing or malformed; the message names the parameter.</exception>
    public Tensor[] forward(Tensor first, params Tensor[] rest) => forward([first, .. rest]);

    /// <summary>
    /// Solves the problem for the given parameter values and returns one tensor per requested variable: (B, shape)
    /// when some value has a leading batch dimension B, else the variable's shape. A value shaped as its parameter is
    /// shared by the batch, and its gradient is the sum over the items.
    /// </summary>
    /// <param name="parameterValues">One value per parameter, in <see cref="Parameters"/> order; float32 or float64.</param>
    /// <exception cref="ArgumentException">A value is missing or malformed; the message names the parameter.</exception>
    public override Tensor[] forward(params Tensor[] parameterValues)
    {
        return TemporaryTensors.Hold<Tensor[]>(() =>
        {
            ArgumentNullException.ThrowIfNull(parameterValues);
            if (parameterValues.Length != Parameters.Count)
                throw new ArgumentException($"Expected {Parameters.Count} parameter values ({string.Join(", ", Parameters.Select(p => p.Name))}); got {parameterValues.Length}.", nameof(parameterValues));
            var batch = ParameterBatch.Create(_program.Parameters, _order.Select(i => parameterValues[i]).ToArray());
            var result = ProgramSolve.Run(_program, batch, Options, Options.WarmStart ? _warmStart : null, duals: _dualRows.Length > 0);
            LastStatus = result.Status;
            LastIterations = result.Iterations;
            LastLeastSquares = result.LeastSquares ?? [];
            LastQpReport = result.QpReport;
            Tensor Shaped(Tensor rows, Shape shape) => batch.Batched ? rows.reshape([batch.BatchSize, .. shape.Dimensions]) : rows.reshape(shape.Dimensions);
            var values = Variables.Select(v => Shaped(result.X.narrow(1, _program.VariableColumns[v], v.Shape.Size), v.Shape));
            var duals = _dualRows.Select(rows => Shaped(DualValues.Of(result.Y!, rows), rows.Shape));
            return values.Concat(duals).ToArray();
        });
    }

    /// <summary>Frees the retained warm start with the module.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing) _warmStart.Dispose();
        base.Dispose(disposing);
    }
}
