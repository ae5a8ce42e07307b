using DiffOpt.InteriorPoint;

namespace DiffOpt.Cones;

/// <summary>
/// The equilibration of a batch whose A and P are shared by every item (given unbatched, as the modeling layer gives
/// the parameter-free blocks: in the portfolio layer only c depends on the parameter). Ruiz's factors D and E depend on
/// A and P alone (<see cref="RuizKernel"/> reads neither b nor c), so D, E, Â = DAE and EPE are computed once here and
/// every item's program reads them (<see cref="ItemProgram.Batch"/>); an item computes only b̂ = Db, its cost scale σ
/// (from Ec and EPE's row maxima, also kept here) and σEc, σEPE (<see cref="ItemEquilibration.Finish"/>), bit for bit
/// what <see cref="ItemEquilibration"/> gives each item from its own copy of A and P.
/// </summary>
internal sealed class BatchEquilibration
{
    private readonly ItemEquilibration.ScaledMatrices _scaled;

    /// <summary>
    /// Equilibrates the shared A (m × n row-major) and P (n × n, or null) for items with the kernel cones
    /// <paramref name="cones"/>; keeps the arrays, which must not change while items read them.
    /// </summary>
    public BatchEquilibration(KernelCone[] cones, int m, int n, double[] a, double[]? p)
    {
        (Rows, Variables, A, P) = (m, n, a, p);
        var (d, e) = (new double[m], new double[n]);
        ItemEquilibration.Factors(cones, m, n, a, null, p, null, d, e);
        var scaledP = p is null ? null : ItemEquilibration.Scaled(p, e, e, null);
        _scaled = new ItemEquilibration.ScaledMatrices(ItemEquilibration.Scaled(a, d, e, null), scaledP, d, e,
            scaledP is null ? 0 : CostScale.RowMaxSum(scaledP, n));
    }

    /// <summary>m.</summary>
    public int Rows { get; }

    /// <summary>n.</summary>
    public int Variables { get; }

    /// <summary>The shared A, m × n row-major.</summary>
    public double[] A { get; }

    /// <summary>The shared P, n × n row-major, or null for P = 0.</summary>
    public double[]? P { get; }

    /// <summary>Â = DAE, m × n row-major.</summary>
    public double[] ScaledA => _scaled.A!;

    /// <summary>The row factors D (m).</summary>
    public double[] D => _scaled.D;

    /// <summary>The column factors E (n).</summary>
    public double[] E => _scaled.E;

    /// <summary>Whether <paramref name="matrix"/> is the batch's A, P or Â.</summary>
    public bool Holds(double[] matrix) => ReferenceEquals(matrix, A) || ReferenceEquals(matrix, ScaledA) || ReferenceEquals(matrix, P);

    /// <summary>
    /// The program of the item with <paramref name="b"/> (m) and <paramref name="c"/> (n); b̂, ĉ and P̂ go into
    /// <paramref name="buffers"/>' arrays when given.
    /// </summary>
    public ItemProgram Item(double[] b, double[] c, ItemWorkspace? buffers = null) =>
        ItemEquilibration.Finish(Rows, Variables, A, b, c, P, null, null, _scaled, buffers, this);
}
