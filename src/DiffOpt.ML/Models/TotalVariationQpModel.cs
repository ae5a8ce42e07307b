using DiffOpt.Native;
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

    /// <summary>Independent normal entries with standard deviation 0.3 (OptNet's learned-D experiment).</summary>
    Random,
}

/// <summary>
/// Learned total-variation denoising (OptNet, Amos and Kolter 2017, §4.2): for a noisy signal x (length n) the
/// output is
/// <code>
///   z* = argmin ½‖z − x‖² + λ‖Dz‖₁
/// </code>
/// D is (n − 1) × n and learned; λ &gt; 0 is learned too unless <see cref="LearnRegularization"/> is false. With
/// <see cref="LearnAdaptiveWeights"/>, λ‖Dz‖₁ becomes Σᵢ λᵢ(x)|(Dz)ᵢ|, a learned weight per difference and signal.
/// Features and labels must have the same length n ≥ 2.
/// </summary>
/// <remarks>
/// The layer solves the dual problem, which is exact: since λ‖Dz‖₁ = max over ‖u‖∞ ≤ λ of uᵀDz and the saddle
/// function ½‖z − x‖² + uᵀDz is convex in z and concave in u over a compact set, min and max swap; the inner
/// minimum is at z = x − Dᵀu, leaving the box-constrained QP
/// <code>
///   u* = argmin ½uᵀ(DDᵀ)u − (Dx)ᵀu   subject to   −λ ≤ u ≤ λ,        z* = x − Dᵀu*
/// </code>
/// (with per-difference weights the box is −λᵢ(x) ≤ uᵢ ≤ λᵢ(x), so h varies per signal)
/// (Chambolle's dual of total variation). Its n − 1 variables and positive definite DDᵀ (for D of full row rank)
/// make each solve several times cheaper than the primal QP in (z, t) with −t ≤ Dz ≤ t, whose 2n − 1 variables
/// have a singular Hessian. Q = DDᵀ, the box rows and h = λ·1 are shared by the whole batch, so the solver scales
/// and factorises them once; only p = −Dx varies per signal. Gradients reach D through Q, p and z = x − Dᵀu*, and
/// λ through h (OptNet's implicit differentiation of the dual's KKT conditions). If D loses full row rank, u* is
/// no longer unique, but Dᵀu* and so z* still are.
/// </remarks>
public sealed record TotalVariationQpModel : QpModel
{
    /// <summary>Initial D. Default <see cref="DifferenceOperatorInit.FirstDifference"/>.</summary>
    public DifferenceOperatorInit DifferenceInit { get; init; } = DifferenceOperatorInit.FirstDifference;

    /// <summary>Initial weight λ of the ‖Dz‖₁ term. Default 1.</summary>
    public double InitialRegularization { get; init; } = 1.0;

    /// <summary>Whether λ is learned (through log λ, so it stays positive). Default true.</summary>
    public bool LearnRegularization { get; init; } = true;

    /// <summary>
    /// Whether each difference gets its own weight that depends on the signal around it:
    /// λᵢ(x) = λ·exp(c + Σ_{|k|≤r} w_k·|(Dx)ᵢ₊ₖ|), with the window w (2r + 1 = <see cref="AdaptiveWeightWindow"/>
    /// entries) and c learned from 0, so training starts from plain TV. The layer can then penalise a difference
    /// less where the input shows a jump; the weights are the same function at every position, as the statistics
    /// of a signal are. Default false.
    /// </summary>
    public bool LearnAdaptiveWeights { get; init; }

    /// <summary>Width 2r + 1 of the window of differences each adaptive weight looks at (odd, at least 1). Default 9.</summary>
    public int AdaptiveWeightWindow { get; init; } = 9;

    /// <summary>
    /// When set to k ≥ 1, D stays banded: only the entries D_ij with 0 ≤ j − i ≤ k are learned, the others are fixed
    /// at 0, so each difference is a learned stencil of k + 1 neighbouring samples (k = 1 keeps the shape of first
    /// differences, with two learned taps per row). Q = DDᵀ then has bandwidth k, and the QP solver factorises the
    /// layer's KKT systems banded (in time linear in n for small k) instead of dense. Default null: D is dense.
    /// </summary>
    public int? DifferenceBandwidth { get; init; }

    internal override void Validate(int featureSize, int outputSize)
    {
        OptionChecks.PositiveFinite(InitialRegularization, nameof(InitialRegularization));
        OptionChecks.Defined(DifferenceInit, nameof(DifferenceInit));
        if (AdaptiveWeightWindow < 1 || AdaptiveWeightWindow % 2 == 0)
            throw new ArgumentOutOfRangeException(nameof(AdaptiveWeightWindow), AdaptiveWeightWindow, $"{nameof(AdaptiveWeightWindow)} must be a positive odd width.");
        if (DifferenceBandwidth is < 1)
            throw new ArgumentOutOfRangeException(nameof(DifferenceBandwidth), DifferenceBandwidth, $"{nameof(DifferenceBandwidth)} must be at least 1 when set.");
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
    private readonly Conv1d? weight_map;
    private readonly Tensor? band_mask;
    private readonly QpSolverOptions _solverOptions;

    public TotalVariationNetwork(TotalVariationQpModel model, NetworkContext context) : base(nameof(TotalVariationNetwork))
    {
        var n = context.OutputSize;
        var initial = model.DifferenceInit == DifferenceOperatorInit.FirstDifference
            ? FirstDifference(n, context.DType)
            : RandomMatrix(n - 1, n, context);
        if (model.DifferenceBandwidth is { } bandwidth)
        {
            band_mask = BandMask(n, bandwidth, context.DType);
            initial.mul_(band_mask);
        }
        D = nn.Parameter(initial);
        log_lambda = nn.Parameter(tensor(Math.Log(model.InitialRegularization), dtype: context.DType), model.LearnRegularization);
        if (model.LearnAdaptiveWeights)
        {
            weight_map = nn.Conv1d(1, 1, model.AdaptiveWeightWindow, padding: model.AdaptiveWeightWindow / 2, dtype: context.DType);
            using (no_grad())
            {
                weight_map.weight!.zero_();
                weight_map.bias!.zero_();
            }
        }
        _solverOptions = context.SolverOptions;
        RegisterComponents();
    }

    public override IEnumerable<Tensor> PenalizedMatrices => [D];

    public override Tensor forward(Tensor x)
    {
        var d = band_mask is null ? D : D.mul(band_mask);
        var m = d.shape[0];
        var identity = eye(m, dtype: x.dtype, device: x.device);
        var Q = d.matmul(d.t());
        var p = x.matmul(d.t()).neg();
        var G = cat([identity, identity.neg()], 0);
        var weights = weight_map is null
            ? ones(m, dtype: x.dtype, device: x.device).mul_(log_lambda.exp())
            : ScalarSafeOperations.With(-MaxLogWeight, low => ScalarSafeOperations.With(MaxLogWeight, high =>
                weight_map.forward(x.matmul(d.t()).abs().unsqueeze(1)).squeeze(1).Plus(log_lambda).clamp(low, high))).exp();
        var h = cat([weights, weights], -1);
        var u = QpFunction.Apply(Q, p, G, h, null, null, _solverOptions);
        return x - u.matmul(d);
    }

    /// <summary>Bound on |log λᵢ(x)|, so that a diverging weight map gives finite box bounds rather than infinite ones.</summary>
    private const double MaxLogWeight = 50;

    /// <summary>The (n − 1) × n first-difference matrix, (Dz)ᵢ = zᵢ₊₁ − zᵢ.</summary>
    private static Tensor FirstDifference(long n, ScalarType dtype)
    {
        using var identity = eye(n, dtype: dtype);
        return identity.narrow(0, 1, n - 1) - identity.narrow(0, 0, n - 1);
    }

    /// <summary>The (n − 1) × n mask of the entries 0 ≤ j − i ≤ k a banded D learns.</summary>
    private static Tensor BandMask(long n, int bandwidth, ScalarType dtype)
    {
        using var ones = torch.ones(n - 1, n, dtype: dtype);
        return ones.triu(0).tril(bandwidth);
    }

    private const double RandomInitStandardDeviation = 0.3;

    private static Tensor RandomMatrix(long rows, long columns, NetworkContext context)
    {
        using var generator = new Generator((ulong)context.Seed);
        return randn([rows, columns], dtype: context.DType, generator: generator).TimesInPlace(RandomInitStandardDeviation);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            D.Dispose();
            log_lambda.Dispose();
            weight_map?.Dispose();
            band_mask?.Dispose();
        }
        base.Dispose(disposing);
    }
}
