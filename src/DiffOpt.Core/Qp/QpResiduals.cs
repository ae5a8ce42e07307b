using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Qp;

/// <summary>
/// Optimality residuals of an iterate, in the scaled space, with their unscaled norms per item:
/// <code>
///   rx = −(Px + c + Aᵀy + Gᵀz)     dual residual
///   ry = b − Ax                     equality residual
///   rz = h − Gx − s                 inequality residual (with slack)
///   gap = |xᵀPx + cᵀx + bᵀy + hᵀz|  duality gap
/// </code>
/// "Relative" values divide by the largest of the terms each residual is made of (at least 1).
/// </summary>
internal sealed class QpResiduals
{
    public required Tensor Rx { get; init; }
    public required Tensor Ry { get; init; }
    public required Tensor Rz { get; init; }

    /// <summary>Unscaled ‖(ry, rz)‖∞ per item.</summary>
    public required Tensor Primal { get; init; }
    /// <summary>Unscaled ‖rx‖∞ per item.</summary>
    public required Tensor Dual { get; init; }
    /// <summary>Duality gap per item.</summary>
    public required Tensor Gap { get; init; }

    /// <summary>Normaliser of the primal residual for the relative test (≥ 1).</summary>
    public required Tensor PrimalScale { get; init; }
    /// <summary>Normaliser of the dual residual for the relative test (≥ 1).</summary>
    public required Tensor DualScale { get; init; }
    /// <summary>Normaliser of the duality gap for the relative test (≥ 1).</summary>
    public required Tensor GapScale { get; init; }

    /// <summary>The residuals of the items at <paramref name="index"/> (1-D int64 batch positions).</summary>
    public QpResiduals Select(Tensor index) => new()
    {
        Rx = Rx.index_select(0, index), Ry = Ry.index_select(0, index), Rz = Rz.index_select(0, index),
        Primal = Primal.index_select(0, index), Dual = Dual.index_select(0, index), Gap = Gap.index_select(0, index),
        PrimalScale = PrimalScale.index_select(0, index), DualScale = DualScale.index_select(0, index),
        GapScale = GapScale.index_select(0, index),
    };

    /// <summary>Evaluates the residuals of <paramref name="it"/> for the scaled problem <paramref name="qp"/>.</summary>
    public static QpResiduals Evaluate(ScaledQp qp, ResidualNormalizer norm, QpIterate it)
    {
        var px = qp.Px(it.X);
        var constraintForce = qp.ATy(it.Y) + qp.GTz(it.Z);
        var ax = qp.Ax(it.X);
        var gx = qp.Gx(it.X);

        var rx = -(px + qp.C + constraintForce);
        var ry = qp.B - ax;
        var rz = qp.H - gx - it.S;

        var xPx = Batched.Dot(it.X, px);
        var cx = Batched.Dot(qp.C, it.X);
        var by = Batched.Dot(qp.B, it.Y);
        var hz = Batched.Dot(qp.H, it.Z);

        var one = ones_like(xPx);
        return new QpResiduals
        {
            Rx = rx, Ry = ry, Rz = rz,
            Primal = Batched.InfNorm(cat(new[] { ry, rz }, -1) * norm.InverseE),
            Dual = Batched.InfNorm(rx * norm.InverseD),
            Gap = (xPx + cx + by + hz).abs(),
            PrimalScale = Batched.Max(one, norm.DataPrimalScale,
                Batched.InfNorm(cat(new[] { ax, gx }, -1) * norm.InverseE), Batched.InfNorm(it.S * norm.InverseEG)),
            DualScale = Batched.Max(one, norm.DataDualScale,
                Batched.InfNorm(px * norm.InverseD), Batched.InfNorm(constraintForce * norm.InverseD)),
            GapScale = Batched.Max(one, xPx.abs(), cx.abs(), by.abs(), hz.abs()),
        };
    }

    /// <summary>True per item where all three measures meet (absolute or relative) tolerance × <paramref name="factor"/>.</summary>
    public Tensor Meets(SolverTolerances tol, double factor = 1.0)
    {
        double abs = tol.Absolute * factor, rel = tol.Relative * factor;
        return Within(Primal, PrimalScale, abs, rel) & Within(Dual, DualScale, abs, rel) & Within(Gap, GapScale, abs, rel);
    }

    /// <summary>residual ≤ abs, or residual ≤ rel × scale.</summary>
    public static Tensor Within(Tensor residual, Tensor scale, double abs, double rel) =>
        (residual <= abs) | (residual <= rel * scale);
}

/// <summary>The tolerances that apply to one solve (chosen by dtype; float32 never certifies infeasibility below 1e-4).</summary>
internal readonly record struct SolverTolerances(double Absolute, double Relative, double Infeasibility)
{
    private const double Float32InfeasibilityFloor = 1e-4;

    public static SolverTolerances For(QpSolverOptions options, ScalarType dtype) =>
        dtype == ScalarType.Float32
            ? new(options.Float32Tolerance, options.Float32RelativeTolerance, Math.Max(options.InfeasibilityTolerance, Float32InfeasibilityFloor))
            : new(options.Tolerance, options.RelativeTolerance, options.InfeasibilityTolerance);
}
