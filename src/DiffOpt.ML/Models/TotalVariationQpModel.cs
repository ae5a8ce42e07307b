using DiffOpt.Qp;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffOpt.ML;

/// <summary>How <see cref="TotalVariationQpModel"/> initialises its difference operator D.</summary>
public enum DifferenceOperatorInit
{
    /// <summary>The first-difference matrix (Dz)ᵢ = zᵢ₊₁ − zᵢ: training starts from classical total variation.</summary>
    FirstDifference,

    /// <summary>Independent normal entries scaled by 1/√n.</summary>
    Random,
}

/// <summary>
/// Learned total-variation denoising (OptNet, Amos and Kolter 2017, §4.2): for a noisy signal x (length n) the
/// output is
/// <code>
///   z* = argmin ½‖z − x‖² + λ‖Dz‖₁
/// </code>
/// solved as the QP in (z, t): minimize ½‖z − x‖² + λ·1ᵀt subject to −t ≤ Dz ≤ t (its Hessian is singular in t).
/// D is (n − 1) × n and learned; λ &gt; 0 is learned too unless <see cref="LearnRegularization"/> is false.
/// Features and labels must have the same length n ≥ 2.
/// </summary>
public sealed record TotalVariationQpModel : QpModel
{
    /// <summary>Initial D. Default <see cref="DifferenceOperatorInit.FirstDifference"/>.</summary>
    public DifferenceOperatorInit DifferenceInit { get; init; } = DifferenceOperatorInit.FirstDifference;

    /// <summary>Initial weight λ of the ‖Dz‖₁ term. Default 1.</summary>
    public double InitialRegularization { get; init; } = 1.0;

    /// <summary>Whether λ is learned (through log λ, so it stays positive). Default true.</summary>
    public bool LearnRegularization { get; init; } = true;

    internal override void Validate(int featureSize, int outputSize)
    {
        OptionChecks.PositiveFinite(InitialRegularization, nameof(InitialRegularization));
        OptionChecks.Defined(DifferenceInit, nameof(DifferenceInit));
        ModelChecks.SameSize(featureSize, outputSize, nameof(TotalVariationQpModel));
        if (outputSize < 2)
            throw new ArgumentException($"{nameof(TotalVariationQpModel)} needs signals of length at least 2, got {outputSize}.", "inputSchema");
    }

    internal override QpNetwork CreateNetwork(NetworkContext context) => new TotalVariationNetwork(this, context);
}

/// <summary>The module of <see cref="TotalVariationQpModel"/>.</summary>
internal sealed class TotalVariationNetwork : QpNetwork
{
    private readonly Parameter D;
    private readonly Parameter log_lambda;
    private readonly QpSolverOptions _solverOptions;

    public TotalVariationNetwork(TotalVariationQpModel model, NetworkContext context) : base(nameof(TotalVariationNetwork))
    {
        var n = context.OutputSize;
        D = nn.Parameter(model.DifferenceInit == DifferenceOperatorInit.FirstDifference
            ? FirstDifference(n, context.DType)
            : RandomMatrix(n - 1, n, context));
        log_lambda = nn.Parameter(tensor(Math.Log(model.InitialRegularization), dtype: context.DType), model.LearnRegularization);
        _solverOptions = context.SolverOptions;
        RegisterComponents();
    }

    public override IEnumerable<Tensor> PenalizedMatrices => [D];

    public override Tensor forward(Tensor x)
    {
        var n = x.shape[1];
        var m = n - 1;
        var options = (x.dtype, x.device);
        // Variables y = (z, t): Q = diag(I_n, 0), p = (−x, λ·1), and [D −I; −D −I]·y ≤ 0.
        var Q = diag(cat([ones(n, dtype: options.dtype, device: options.device), zeros(m, dtype: options.dtype, device: options.device)]));
        var lambda = log_lambda.exp().expand(x.shape[0], m);
        var p = cat([x.neg(), lambda], 1);
        var identity = eye(m, dtype: options.dtype, device: options.device);
        var G = cat([cat([D, identity.neg()], 1), cat([D.neg(), identity.neg()], 1)], 0);
        var h = zeros(2 * m, dtype: options.dtype, device: options.device);
        var y = QpFunction.Apply(Q, p, G, h, null, null, _solverOptions);
        return y[.., ..(int)n];
    }

    private static Tensor FirstDifference(long n, ScalarType dtype)
    {
        var d = zeros([n - 1, n], dtype: dtype);
        using var noGrad = no_grad();
        for (var i = 0; i < n - 1; i++)
        {
            d[i, i] = tensor(-1.0, dtype: dtype);
            d[i, i + 1] = tensor(1.0, dtype: dtype);
        }
        return d;
    }

    private static Tensor RandomMatrix(long rows, long columns, NetworkContext context)
    {
        using var generator = new Generator((ulong)context.Seed);
        return randn([rows, columns], dtype: context.DType, generator: generator).div_(Math.Sqrt(columns));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            D.Dispose();
            log_lambda.Dispose();
        }
        base.Dispose(disposing);
    }
}
