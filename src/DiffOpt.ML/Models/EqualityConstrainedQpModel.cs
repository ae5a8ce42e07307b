using DiffOpt.Native;
using DiffOpt.Qp;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffOpt.ML;

/// <summary>
/// OptNet's equality-constrained layer (the Sudoku model, Amos and Kolter 2017, §4.4): for features x (length n)
/// the output is
/// <code>
///   z* = argmin ½·q‖z‖² − xᵀz   subject to   Az = A·exp(log z0),  z ≥ 0
/// </code>
/// learning A (k × n) and log z0 (n). Writing b = A·z0 with z0 = exp(log z0) &gt; 0 keeps every problem feasible.
/// Features and labels must have the same length n.
/// </summary>
public sealed record EqualityConstrainedQpModel : QpModel
{
    /// <summary>Number k of learned equality constraints (rows of A). Default 40 (4×4 Sudoku).</summary>
    public int EqualityCount { get; init; } = 40;

    /// <summary>Weight q of the quadratic term ½·q‖z‖². Default 0.1 (OptNet's Sudoku value).</summary>
    public double QuadraticWeight { get; init; } = 0.1;

    internal override void Validate(int featureSize, int outputSize)
    {
        OptionChecks.AtLeast(EqualityCount, 1, nameof(EqualityCount));
        OptionChecks.PositiveFinite(QuadraticWeight, nameof(QuadraticWeight));
        ModelChecks.SameSize(featureSize, outputSize, nameof(EqualityConstrainedQpModel));
    }

    internal override QpNetwork CreateNetwork(NetworkContext context) => new EqualityConstrainedNetwork(this, context);
}

/// <summary>The module of <see cref="EqualityConstrainedQpModel"/>.</summary>
internal sealed class EqualityConstrainedNetwork : QpNetwork
{
    private readonly Parameter A;
    private readonly Parameter log_z0;
    private readonly double _quadraticWeight;
    private readonly QpSolverOptions _solverOptions;

    public EqualityConstrainedNetwork(EqualityConstrainedQpModel model, NetworkContext context) : base(nameof(EqualityConstrainedNetwork))
    {
        var n = context.OutputSize;
        using var generator = new Generator((ulong)context.Seed);
        // OptNet's Sudoku code starts A uniform in [0, 1) and log z0 at 0.
        A = nn.Parameter(rand([model.EqualityCount, n], dtype: context.DType, generator: generator));
        log_z0 = nn.Parameter(zeros(n, dtype: context.DType));
        _quadraticWeight = model.QuadraticWeight;
        _solverOptions = context.SolverOptions;
        RegisterComponents();
    }

    public override IEnumerable<Tensor> PenalizedMatrices => [A];

    public override Tensor forward(Tensor x)
    {
        var n = x.shape[1];
        var Q = eye(n, dtype: x.dtype, device: x.device).TimesInPlace(_quadraticWeight);
        var G = eye(n, dtype: x.dtype, device: x.device).neg_();
        var h = zeros(n, dtype: x.dtype, device: x.device);
        var b = A.mv(log_z0.exp());
        return QpFunction.Apply(Q, x.neg(), G, h, A, b, _solverOptions);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            A.Dispose();
            log_z0.Dispose();
        }
        base.Dispose(disposing);
    }
}
