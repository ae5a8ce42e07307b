using DiffOpt.Qp;

namespace DiffOpt.Benchmarks.QpPhases;

/// <summary>
/// Floating-point work and data traffic per batch item of the QP layer's phases, for a problem with n variables,
/// m inequalities and p equalities, in the two KKT forms the dense cases use: the n × n operator
/// Φ = Q + ρI + GᵀWG + AᵀA/δ, or (strongly convex items with m ≤ 2n, as the qpth cases) the m × m Schur complement
/// S = G H⁻¹Gᵀ + W with H = Q + ρ₀I + AᵀA/δ₀ factorised once per solve and V = G L⁻ᵀ kept, so an iteration factorises
/// S alone. Each form's factorisations are booked under their own phase name. Counts are the textbook leading terms (a
/// multiply-add is two FLOPs), not measurements; phases without a model report time only.
/// </summary>
public sealed record PhaseCostModel(long N, long M, long P)
{
    /// <summary>FLOPs of one factorisation: forming GᵀWG and AᵀA (symmetric, (m+p)n²) and the Cholesky (n³/3).</summary>
    public double FactorisationFlops => (M + P) * (double)N * N + N * (double)N * N / 3.0;

    /// <summary>FLOPs of one factorisation in the Schur form: the Cholesky of S (m³/3; S = V Vᵀ + W is a copy and a diagonal).</summary>
    public double SchurFactorisationFlops => M * (double)M * M / 3.0;

    /// <summary>FLOPs of the Schur form's H, once per solve and item: ÃᵀÃ (2pn², a full product) and H's Cholesky (n³/3).</summary>
    public double SchurHessianFlops => 2.0 * P * N * N + N * (double)N * N / 3.0;

    /// <summary>
    /// FLOPs of the Schur form's V = G L⁻ᵀ (mn², a triangular solve with m right-hand sides) and V Vᵀ (2m²n, a full
    /// product), once per solve and item.
    /// </summary>
    public double SchurRowsFlops => M * (double)N * N + 2.0 * M * M * N;

    /// <summary>
    /// FLOPs of one predictor-corrector step of the step kernel (which runs in the Schur form): two solves, each two
    /// triangular solves with H's factor (2n²) and two with S's (2m²), and the products with V, Vᵀ, A, Aᵀ (4(m+p)n).
    /// </summary>
    public double StepFlops => 2 * (2.0 * N * N + 2.0 * M * M + 4.0 * (M + P) * N);

    /// <summary>FLOPs of one residual evaluation: Qx, Gx, Gᵀz, Ax, Aᵀy.</summary>
    public double ResidualFlops => 2.0 * N * N + 4.0 * (M + P) * N;

    /// <summary>Bytes a residual evaluation must read at least: Q, G and A once, in float64.</summary>
    public double ResidualBytes => 8.0 * (N * (double)N + (M + P) * (double)N);

    /// <summary>The FLOPs per item of one call of <paramref name="phase"/>, or null when the phase has no model.</summary>
    public double? FlopsOf(string phase) => phase switch
    {
        "KKT factorisation" or "active-set KKT factorisation" => FactorisationFlops,
        _ when phase.EndsWith(InequalitySchurKktSolver.SchurFactorisationPhase, StringComparison.Ordinal) => SchurFactorisationFlops,
        "step kernel (solves, line search)" => StepFlops,
        "residuals" => ResidualFlops,
        InequalitySchurKktSolver.HessianPhase => SchurHessianFlops,
        InequalitySchurKktSolver.RowsPhase => SchurRowsFlops,
        _ => null,
    };
}
