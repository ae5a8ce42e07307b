using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Native;
using DiffOpt.LinearAlgebra;
using DiffOpt.Numerics;

namespace DiffOpt.Qp;

/// <summary>
/// The primal form of <see cref="PrimalKktSolver"/> for inequality blocks in which every row of G has at most one
/// nonzero (bounds on single variables, such as G = [I; −I]): Gᵀ W⁻¹ G is then the diagonal
/// diag(Σ_{rows r on column j} g_r²/w_r), so
/// <code>
///   Φ = P + ρI + AᵀA/δ + Gᵀ W⁻¹ G
/// </code>
/// is formed as the (shared) P plus a per-item diagonal on the way into its n×n Cholesky, with no m×n×n product and
/// no m×m factorisation, and the products with G and Gᵀ are gathers and scatters. The adaptive regularisation and the
/// numerics are those of the primal form; only the cost differs (n³/3 per item and factorisation, against m³/3 for
/// the Schur form of <see cref="InequalitySchurKktSolver"/>, which the box rows of a denoising layer's dual QP,
/// m = 2n, make 8 times larger). Without equality rows, a banded P (P_ij = 0 for |i − j| &gt; bw, detected from
/// its entries, with 4(bw + 1) ≤ n) keeps Φ banded, and <see cref="BandedCholesky"/> factorises it in n(bw + 1)²
/// (first differences: Q = DDᵀ is tridiagonal).
/// </summary>
internal sealed class BoxKktSolver : KktSolver
{
    private readonly Tensor _columns;      // (B|1,m) int64: the column of each row's nonzero (0 for an empty row)
    private readonly Tensor _coefficients; // (B|1,m): that nonzero (0 for an empty row)
    private readonly int? _bandwidth;      // P's bandwidth when the banded factorisation serves, else null
    private Tensor? _buffer;               // (B,n,n) (dense: Φ, then its factor in place) or (B,n,bw+1) (banded factor)
    private Tensor? _cholesky;

    private BoxKktSolver(ScaledQp qp, Tensor columns, Tensor coefficients) : base(qp)
    {
        _columns = Batched.ExpandBatch(columns, qp.BatchSize);
        _coefficients = coefficients;
        if (qp.EqualityCount == 0 && BandedCholesky.Serves(qp.P) && BandedCholesky.Bandwidth(qp.P) is var bandwidth && 4 * (bandwidth + 1) <= qp.N)
            _bandwidth = (int)bandwidth;
    }

    /// <summary>The bandwidth the banded factorisation runs with, or null when Φ is factorised dense.</summary>
    internal int? Bandwidth => _bandwidth;

    /// <summary>
    /// The solver when every row of <paramref name="qp"/>'s G has at most one nonzero and there are more inequality
    /// rows than variables (with m ≤ n the m×m Schur form is no larger, and it was faster: the sparsemax layer, x ≥ 0
    /// with one equality at B = 64, took 24-29 ms with it against 39-50 ms in this form); null otherwise.
    /// </summary>
    public static BoxKktSolver? TryCreate(ScaledQp qp)
    {
        if (qp.N == 0 || qp.InequalityCount <= qp.N) return null;
        var nonzero = qp.G.NotEqualTo(0.0);
        if (nonzero.sum(-1).GreaterThan(1L).any().item<bool>()) return null;
        var columns = nonzero.to_type(ScalarType.Int64).argmax(-1);
        return new BoxKktSolver(qp, columns, qp.G.gather(-1, columns.unsqueeze(-1)).squeeze(-1));
    }

    public override (Tensor Rho, Tensor Delta)? FixedRegularization => null;

    public override KktSolver Select(Tensor index, ScaledQp qp) =>
        new BoxKktSolver(qp, _columns.index_select(0, index), Batched.SelectItems(_coefficients, index));

    public override Tensor Factor(KktParameters parameters, Tensor staticShift)
    {
        long batch = Qp.BatchSize, n = Qp.N;
        var diagonal = ColumnSums(_coefficients * _coefficients / parameters.W).PlusInPlace(parameters.Rho.Plus(staticShift).unsqueeze(-1));
        Tensor failed;
        if (_bandwidth is { } bandwidth)
        {
            _buffer ??= empty(batch, n, bandwidth + 1, Qp.P.dtype, Qp.P.device);
            failed = BandedCholesky.Factor(Qp.P, diagonal, bandwidth, _buffer);
            _cholesky = _buffer;
        }
        else
        {
            var matrices = Qp.EqualityCount == 0
                ? Qp.P
                : Qp.A.transpose(-1, -2).matmul(Qp.A * parameters.Delta.Into(1.0).view(-1, 1, 1)).PlusInPlace(Qp.P);
            _buffer ??= empty(batch, n, n, Qp.P.dtype, Qp.P.device);
            (_cholesky, failed) = BatchedCholesky.FactorShifted(matrices.contiguous(), diagonal.contiguous(), _buffer);
        }
        Factored = parameters with { Rho = parameters.Rho.Plus(staticShift) };
        return failed;
    }

    protected override KktVector SolveFactored(KktVector rhs)
    {
        var p = Factored ?? throw new InvalidOperationException("Factor must be called before Solve.");
        var invDelta = Batched.PerItem(p.Delta.Into(1.0));
        var rhsX = rhs.X.Plus(ColumnSums(_coefficients * (rhs.Z / p.W)));
        if (Qp.EqualityCount > 0) rhsX = rhsX.Plus(Qp.ATy(rhs.Y * invDelta));
        var dx = _bandwidth is null ? Batched.CholeskySolve(_cholesky!, rhsX) : BandedCholesky.Solve(_cholesky!, rhsX);
        var dy = Qp.EqualityCount > 0 ? (Qp.Ax(dx) - rhs.Y) * invDelta : zeros_like(rhs.Y);
        var dz = (dx.gather(-1, _columns) * _coefficients - rhs.Z) / p.W;
        return new KktVector(dx, dy, dz);
    }

    /// <summary>Gᵀv per item for a (B,m) v already multiplied by the row coefficients: each row's value added to its column.</summary>
    private Tensor ColumnSums(Tensor rowValues) =>
        zeros(Qp.BatchSize, Qp.N, dtype: rowValues.dtype, device: rowValues.device).scatter_add_(-1, _columns, rowValues.expand(Qp.BatchSize, -1));

    public override IEnumerable<Tensor> Tensors()
    {
        yield return _columns; yield return _coefficients;
        if (_buffer is not null) yield return _buffer;
        if (_cholesky is not null) yield return _cholesky;
        if (Factored is not null) { yield return Factored.Rho; yield return Factored.Delta; yield return Factored.W; }
    }
}
