using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Modeling;

/// <summary>
/// <c>QuadForm(x, P)</c> = xᵀPx for a vector x and a square P without variables: convex when P is a PSD constant or
/// a parameter declared <c>psd</c>, concave for an NSD constant; not monotone. A minimised objective keeps it as the
/// QP's P block, which also admits a PSD parameter P (our extension of DPP; cvxpy refuses it); elsewhere P must be
/// constant and the form becomes ‖L x‖² with P = LᵀL from P's eigendecomposition.
/// </summary>
public sealed class QuadFormAtom : Atom
{
    private readonly Lazy<(double Min, double Max)> _eigenRange;

    internal QuadFormAtom(Expression x, Expression P) : base(x, P)
    {
        Require(x.Shape.Rank <= 1, $"QuadForm('{x}', '{P}'): x must be a vector; got {x.Shape}.", nameof(x));
        Require(P.Shape.Rank == 2 && P.Shape.Rows == P.Shape.Cols && P.Shape.Rows == x.Shape.Size,
            $"QuadForm('{x}', '{P}'): P must be {x.Shape.Size}×{x.Shape.Size}; got {P.Shape}.", nameof(P));
        Require(!P.HasVariables, $"QuadForm('{x}', '{P}'): P must not contain variables.", nameof(P));
        _eigenRange = new(() => P is Constant c ? EigenRange(c) : (double.NaN, double.NaN));
    }

    /// <inheritdoc />
    public override string Name => "QuadForm";

    /// <inheritdoc />
    public override Shape Shape => Shape.Scalar;

    /// <inheritdoc />
    public override Sign Sign => IsAtomConvex ? Sign.Nonnegative : IsAtomConcave ? Sign.Nonpositive : Sign.Unknown;

    /// <summary>P is known to be positive semidefinite.</summary>
    internal bool PsdMatrix => Args[1] is Parameter { Psd: true } || _eigenRange.Value.Min >= -Tolerance(_eigenRange.Value);

    /// <summary>P is known to be negative semidefinite.</summary>
    internal bool NsdMatrix => _eigenRange.Value.Max <= Tolerance(_eigenRange.Value);

    internal override bool IsAtomConvex => PsdMatrix;

    internal override bool IsAtomConcave => NsdMatrix;

    internal override bool IsIncreasing(int i) => false;

    internal override bool IsDecreasing(int i) => false;

    internal override string ExplainUnknown(DisciplineMode mode) => !IsAtomConvex && !IsAtomConcave
        ? $"P = '{Args[1]}' is neither a PSD/NSD constant nor a parameter declared psd"
        : base.ExplainUnknown(mode);

    internal override string? DppViolation(bool inQuadraticObjective) => Args[1].HasParameters && !inQuadraticObjective
        ? "a QuadForm whose P depends on parameters is DPP only as a positively weighted term of a minimised objective (where P stays the QP's P block)"
        : null;

    /// <summary>Outside an objective: ‖L x‖² (or −‖L x‖² for NSD P) with L from the eigendecomposition of the constant P.</summary>
    internal static LinearForm Canonicalize(QuadFormAtom atom, LinearForm[] x, CanonContext context)
    {
        if (atom.Args[1] is not Constant P)
            throw new DppException(atom.ToString(), atom.DppViolation(false) ?? "P must be constant here");
        int n = atom.Args[0].Shape.Size;
        double sign = atom.PsdMatrix ? 1 : -1;
        using var scope = NewDisposeScope();
        var (values, vectors) = linalg.eigh(tensor(P.Values.ToArray(), [n, n], ScalarType.Float64).Times(sign));
        var lambda = values.AtLeast(0L).sqrt().data<double>().ToArray();
        var V = vectors.contiguous().data<double>().ToArray();
        var L = new double[n * n]; // row k: √λ_k v_kᵀ
        for (int k = 0; k < n; k++)
            for (int j = 0; j < n; j++)
                L[k * n + j] = lambda[k] * V[j * n + k];
        var Lx = LinearForm.MatMul(LinearForm.Constant(L, Shape.Matrix(n, n)), n, n, x[0], 1, Shape.Vector(n), atom.ToString);
        return context.QuadOverLinEpigraph(Lx, LinearForm.Scalar(1)).Scale(sign);
    }

    private static double Tolerance((double Min, double Max) range) => 1e-10 * Math.Max(1, Math.Max(Math.Abs(range.Min), Math.Abs(range.Max)));

    private static (double, double) EigenRange(Constant P)
    {
        int n = P.Shape.Rows;
        using var scope = NewDisposeScope();
        var m = tensor(P.Values.ToArray(), [n, n], ScalarType.Float64);
        if (!allclose(m, m.t(), 1e-10, 1e-12)) return (double.NaN, double.NaN);
        var e = linalg.eigvalsh(m);
        return (e.min().item<double>(), e.max().item<double>());
    }
}
