using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Native;
using DiffOpt.InteriorPoint;
using DiffOpt.Numerics;

namespace DiffOpt.Qp;

/// <summary>
/// Per-item normalisation of a batch to unit size, so that the tolerances mean the same whatever the size of the
/// caller's data. Scaling the cost (Q, p) or a constraint row (gᵢ, hᵢ) by a positive factor leaves the minimiser
/// unchanged but scales the residuals the tolerances bound: with tiny data an absolute tolerance accepts any point.
/// The solver therefore works on
/// <code>
///   minimize σ(½zᵀQz + pᵀz)   subject to   (R_G G) z ≤ R_G h,   (R_A A) z = R_A b
/// </code>
/// with R_G, R_A diagonal: row i's factor brings its largest coefficient maxⱼ|gᵢⱼ| into [1, 2), and σ brings the
/// equilibrated cost (the larger of max|P̃| and max|c̃| after Ruiz scaling) into [1, 2), as PIQP and OSQP scale the
/// cost after equilibration. Without σ, constraints much larger than the cost make the equilibrated cost vanish and
/// the proximal regularisation dominate it. Every factor is a power of two (exact) and at least 1: only data below
/// <see cref="SmallSize"/> are scaled up (a factor of 2 or 4 would change nothing that matters and cost a copy of the
/// data), data of that size or larger are left alone, so the tolerances are never looser than on the caller's data. The minimiser z is the same; multipliers map back as λ = R_G λ̃ / σ, ν = R_A ν̃ / σ, and gradients with
/// respect to the normalised data by the chain rule: ∇Q = σ∇Q̃, ∇p = σ∇p̃, ∇G = R_G∇G̃, ∇h = R_G∇h̃, ∇A = R_A∇Ã,
/// ∇b = R_A∇b̃.
/// </summary>
/// <param name="Cost">σ per item, (B).</param>
/// <param name="InequalityRows">R_G, (B,m), or (1,m) when G is shared.</param>
/// <param name="EqualityRows">R_A, (B,k), or (1,k) when A is shared.</param>
internal sealed record ProblemNormalization(Tensor Cost, Tensor InequalityRows, Tensor EqualityRows)
{
    /// <summary>Blocks whose size is at least this are left as they are.</summary>
    public const double SmallSize = 1.0 / 16;

    /// <summary>What the solver works on: the normalisation (null when every factor is 1), the normalised problem, its Ruiz scaling and the scaled data.</summary>
    public readonly record struct Prepared(ProblemNormalization? Normalization, QpProblem Problem, RuizEquilibration Scaling, ScaledQp Scaled);

    /// <summary>
    /// Normalises the constraint rows of <paramref name="problem"/>, equilibrates the result with
    /// <paramref name="equilibrationIterations"/> Ruiz passes, then normalises the equilibrated cost. Costs nothing
    /// beyond a few reductions when the data are of unit size or larger. The equilibrated matrices are written to
    /// <paramref name="buffers"/> when given (<see cref="QpWorkspace"/>).
    /// </summary>
    public static Prepared Prepare(QpProblem problem, int equilibrationIterations, BufferLease? buffers = null)
    {
        using var phase = PhaseTimer.Measure("normalisation and Ruiz scaling", problem.BatchSize);
        var inequalitySizes = RowMagnitudes(problem.G);
        var equalitySizes = RowMagnitudes(problem.A);
        bool rowsScaled = AnySmall(inequalitySizes, equalitySizes);
        var inequalityRows = rowsScaled ? UnitFactors(inequalitySizes) : ones_like(inequalitySizes);
        var equalityRows = rowsScaled ? UnitFactors(equalitySizes) : ones_like(equalitySizes);
        var normalized = rowsScaled
            ? problem.WithData(problem.Q, problem.P, ScaleRows(problem.G, inequalityRows), inequalityRows * problem.H,
                ScaleRows(problem.A, equalityRows), equalityRows * problem.Bvec)
            : problem;
        var (scaling, scaled) = RuizEquilibration.Apply(normalized, equilibrationIterations, buffers);

        var costSize = CostSize(scaled);
        bool costScaled = AnySmall(costSize);
        if (!rowsScaled && !costScaled) return new Prepared(null, problem, scaling, scaled);
        var cost = costScaled ? UnitFactors(costSize) : ones_like(costSize);
        if (costScaled)
        {
            normalized = normalized.WithData(ScaleItems(normalized.Q, cost), Batched.PerItem(cost) * normalized.P,
                normalized.G, normalized.H, normalized.A, normalized.Bvec);
            scaled = new ScaledQp(ScaleItems(scaled.P, cost), Batched.PerItem(cost) * scaled.C, scaled.A, scaled.B, scaled.G, scaled.H);
        }
        return new Prepared(new ProblemNormalization(cost, inequalityRows, equalityRows), normalized, scaling, scaled);
    }

    /// <summary>Multipliers of the caller's problem from those of the normalised one: λ = R_G λ̃ / σ.</summary>
    public Tensor InequalityDualOfOriginal(Tensor lambda) => InequalityRows * lambda / Batched.PerItem(Cost);

    /// <summary>Multipliers of the caller's problem from those of the normalised one: ν = R_A ν̃ / σ.</summary>
    public Tensor EqualityDualOfOriginal(Tensor nu) => EqualityRows * nu / Batched.PerItem(Cost);

    /// <summary>A warm start for the caller's problem as one for the normalised problem: λ̃ = σλ / R_G, ν̃ = σν / R_A.</summary>
    public QpWarmStart Normalize(QpWarmStart warmStart) => warmStart with
    {
        InequalityDuals = warmStart.InequalityDuals is { } lambda ? DualOfNormalized(lambda, InequalityRows) : null,
        EqualityDuals = warmStart.EqualityDuals is { } nu ? DualOfNormalized(nu, EqualityRows) : null,
    };

    /// <summary>Every tensor of the normalisation.</summary>
    public IEnumerable<Tensor> Tensors() => new[] { Cost, InequalityRows, EqualityRows };

    private Tensor DualOfNormalized(Tensor dual, Tensor rows)
    {
        var batched = dual.dim() == 2 ? dual : dual.unsqueeze(0).expand(Cost.size(0), dual.size(0));
        return batched.to(rows.dtype) * Batched.PerItem(Cost) / rows;
    }

    /// <summary>Per item, the largest |entry| of P and c (on the host for per-item CPU data: max|·| is exact in any order).</summary>
    private static Tensor CostSize(ScaledQp scaled) =>
        (scaled.P.size(0) == scaled.BatchSize && scaled.P.is_contiguous() ? HostRowNorms.InfNorm(scaled.P.view(scaled.BatchSize, scaled.N * scaled.N), scaled.C) : null)
        ?? maximum(MatrixMagnitude(scaled.P).expand(scaled.BatchSize), scaled.C.abs().amax(-1));

    /// <summary>maxⱼ |Mᵢⱼ| per row of (B|1,r,n) matrices, without forming |M| (on the host for CPU data).</summary>
    private static Tensor RowMagnitudes(Tensor matrix) =>
        HostRowNorms.OfMatrixRows(matrix) ?? (matrix.size(-1) == 0 ? zeros(matrix.size(0), matrix.size(1), matrix.dtype, matrix.device)
            : maximum(matrix.amax(-1), matrix.amin(-1).neg()));

    /// <summary>max |M| per item of (B|1,n,n) matrices.</summary>
    private static Tensor MatrixMagnitude(Tensor matrix) =>
        matrix.numel() == 0 ? zeros(matrix.size(0), matrix.dtype, matrix.device)
            : maximum(matrix.amax(new long[] { -2, -1 }), matrix.amin(new long[] { -2, -1 }).neg());

    /// <summary>
    /// Where 0 &lt; size &lt; <see cref="SmallSize"/>: 2^e with e the smallest integer such that 2^e·size ≥ 1 (so
    /// 2^e·size ∈ [1, 2)); 1 elsewhere. The exponent stays well inside the dtype's range.
    /// </summary>
    private static Tensor UnitFactors(Tensor size)
    {
        double maxExponent = size.dtype == ScalarType.Float32 ? 100 : 1000;
        var small = size.GreaterThan(0L) & size.LessThan(SmallSize);
        var exponentOfSize = size.to_type(ScalarType.Float64).log2().neg().ceil();
        var exponent = where(small, ScalarSafeOperations.With(maxExponent, top => exponentOfSize.clamp(ScalarSafeOperations.Zero, top)), zeros_like(size, ScalarType.Float64));
        return exponent.exp2().to_type(size.dtype);
    }

    /// <summary>Whether any size is positive and below <see cref="SmallSize"/> (one transfer to the host for all of them).</summary>
    private static bool AnySmall(params Tensor[] sizes)
    {
        if (sizes.All(t => NativeLapack.Serves(t))) return sizes.Any(HostAnySmall);
        var present = sizes.Where(t => t.numel() > 0).Select(t => (t.GreaterThan(0L) & t.LessThan(SmallSize)).any()).ToArray();
        return present.Length > 0 && stack(present).any().item<bool>();
    }

    /// <summary><see cref="AnySmall"/> of one CPU float tensor, read on the host (no small libtorch results).</summary>
    private static unsafe bool HostAnySmall(Tensor size)
    {
        if (size.numel() == 0) return false;
        var dense = Dense.Of(size);
        bool any = dense.dtype == ScalarType.Float64 ? AnySmall(NativeLapack.Data<double>(dense), dense.numel())
            : AnySmall(NativeLapack.Data<float>(dense), dense.numel());
        GC.KeepAlive(dense);
        return any;
    }

    private static unsafe bool AnySmall<T>(T* data, long count) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        T small = T.CreateTruncating(SmallSize);
        for (long i = 0; i < count; i++)
            if (data[i] > T.Zero && data[i] < small) return true;
        return false;
    }

    private static Tensor ScaleRows(Tensor matrix, Tensor rows) => rows.unsqueeze(-1) * matrix;

    /// <summary>σᵢ·Mᵢ for (B|1,n,n) matrices; a shared matrix stays shared when every item has the same factor.</summary>
    private static Tensor ScaleItems(Tensor matrix, Tensor factors)
    {
        if (matrix.size(0) == 1 && (factors == factors[0]).all().item<bool>())
            return matrix * factors[..1].view(1, 1, 1);
        return matrix * factors.view(-1, 1, 1);
    }
}
