using DiffOpt.Native;
using DiffOpt.Qp;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffOpt.ML;

/// <summary>
/// OptNet's general QP layer (Amos and Kolter 2017, §3) after a linear map: for features x (length d) the output
/// (length n, the label length) is
/// <code>
///   p  = Wx + c
///   z* = argmin ½zᵀ(LLᵀ + εI)z + pᵀz   subject to   Gz ≤ Gz0 + s0,  Az = Az0
/// </code>
/// learning W, c, the lower-triangular L, G (m × n), z0, s0 &gt; 0 (through softplus) and A (k × n). The
/// right-hand sides make z0 feasible, so every problem has a solution.
/// </summary>
public sealed record GenericQpModel : QpModel
{
    /// <summary>Number m of learned inequality constraints (0 for none). Default 10.</summary>
    public int InequalityCount { get; init; } = 10;

    /// <summary>Number k of learned equality constraints (0 for none; at most n − 1). Default 0.</summary>
    public int EqualityCount { get; init; }

    /// <summary>The ε in Q = LLᵀ + εI that keeps Q positive definite. Default 1e-4.</summary>
    public double Epsilon { get; init; } = 1e-4;

    internal override void Validate(int featureSize, int outputSize)
    {
        OptionChecks.AtLeast(InequalityCount, 0, nameof(InequalityCount));
        if (EqualityCount < 0 || EqualityCount >= Math.Max(outputSize, 1))
            throw new ArgumentOutOfRangeException(nameof(EqualityCount), EqualityCount, $"EqualityCount must be in [0, n − 1] = [0, {outputSize - 1}] for outputs of length n = {outputSize}.");
        OptionChecks.NonNegativeFinite(Epsilon, nameof(Epsilon));
    }

    internal override QpNetwork CreateNetwork(NetworkContext context) => new GenericQpNetwork(this, context);
}

/// <summary>The module of <see cref="GenericQpModel"/>.</summary>
internal sealed class GenericQpNetwork : QpNetwork
{
    private static readonly double SoftplusOfOne = Math.Log(Math.E - 1); // softplus(s) = 1

    private readonly Linear linear;
    private readonly Parameter L;
    private readonly Parameter z0;
    private readonly Parameter? G;
    private readonly Parameter? s0;
    private readonly Parameter? A;
    private readonly double _epsilon;
    private readonly QpSolverOptions _solverOptions;

    public GenericQpNetwork(GenericQpModel model, NetworkContext context) : base(nameof(GenericQpNetwork))
    {
        var n = context.OutputSize;
        var dtype = context.DType;
        using var generator = new Generator((ulong)context.Seed);
        linear = nn.Linear(context.FeatureSize, n, dtype: dtype);
        using (no_grad())
        {
            var bound = 1.0 / Math.Sqrt(context.FeatureSize);
            linear.weight!.copy_(UniformInitialization.Symmetric(rand([n, context.FeatureSize], dtype: dtype, generator: generator), bound));
            linear.bias!.copy_(UniformInitialization.Symmetric(rand([n], dtype: dtype, generator: generator), bound));
        }
        L = nn.Parameter(eye(n, dtype: dtype));
        z0 = nn.Parameter(zeros(n, dtype: dtype));
        if (model.InequalityCount > 0)
        {
            // OptNet's general layer starts G uniform in [−1, 1) and s0 at 1.
            G = nn.Parameter(UniformInitialization.Symmetric(rand([model.InequalityCount, n], dtype: dtype, generator: generator), 1.0));
            s0 = nn.Parameter(ScalarSafeOperations.With(SoftplusOfOne, one => full(model.InequalityCount, one, dtype: dtype)));
        }
        if (model.EqualityCount > 0)
            A = nn.Parameter(ScalarSafeOperations.With(Math.Sqrt(n), root => randn([model.EqualityCount, n], dtype: dtype, generator: generator).div_(root)));
        _epsilon = model.Epsilon;
        _solverOptions = context.SolverOptions;
        RegisterComponents();
    }

    public override IEnumerable<Tensor> PenalizedMatrices =>
        new Tensor?[] { linear.weight, L, G, A }.Where(t => t is not null)!;

    public override Tensor forward(Tensor x)
    {
        var n = L.shape[0];
        var lower = L.tril();
        var Q = lower.matmul(lower.t()).Plus(eye(n, dtype: x.dtype, device: x.device).TimesInPlace(_epsilon));
        var p = linear.call(x);
        Tensor? h = G is null ? null : G.mv(z0).Plus(s0!.Softplus());
        var b = A?.mv(z0);
        return QpFunction.Apply(Q, p, G, h, A, b, _solverOptions);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            linear.Dispose();
            L.Dispose();
            z0.Dispose();
            G?.Dispose();
            s0?.Dispose();
            A?.Dispose();
        }
        base.Dispose(disposing);
    }
}
