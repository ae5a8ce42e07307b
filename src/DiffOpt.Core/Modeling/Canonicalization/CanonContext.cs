using DiffOpt.Cones;

namespace DiffOpt.Modeling;

/// <summary>One cone constraint of the canonical program: its slack rows s = form ∈ cone.</summary>
internal sealed record ConeBlock(Cone Cone, LinearForm Rows)
{
    /// <summary>
    /// Set on the blocks of a bound written directly in its cone form (<see cref="CanonContext.Bound"/>): the share of
    /// the block's rows in the dual of the user's inequality; null for other blocks.
    /// </summary>
    public BoundDual? Dual { get; init; }
}

/// <summary>
/// The block rows' weights in the multiplier λ (of <paramref name="Shape"/>) of an inequality written as f(x) ≤ t or
/// g(x) ≥ t in a cone form: λ_Entry gains Weight·y_Row for each (Row, Entry, Weight), Row counted within the block.
/// </summary>
internal sealed record BoundDual(Shape Shape, IReadOnlyList<(int Row, int Entry, double Weight)> Weights);

/// <summary>A variable u (columns from <paramref name="FirstColumn"/>) equal to the form <paramref name="Form"/> by the zero rows of <paramref name="Definition"/>.</summary>
internal sealed record Alias(LinearForm Form, int FirstColumn, ConeBlock Definition);

/// <summary>
/// The state of one canonicalisation: the cone program's columns (user variables first, then auxiliary ones),
/// the cone constraints collected so far and the quadratic objective terms. Canonicalisers add to it.
/// </summary>
internal sealed class CanonContext
{
    private readonly Dictionary<Expression, LinearForm> _memo = new(ReferenceEqualityComparer.Instance);
    private readonly IReadOnlyDictionary<Variable, int> _variableColumns;
    private readonly IReadOnlyDictionary<Parameter, int> _parameterSlots;

    public CanonContext(IReadOnlyDictionary<Variable, int> variableColumns, int userColumns, IReadOnlyDictionary<Parameter, int> parameterSlots)
    {
        _variableColumns = variableColumns;
        _parameterSlots = parameterSlots;
        ColumnCount = userColumns;
    }

    public int ColumnCount { get; private set; }

    public List<ConeBlock> Blocks { get; } = [];

    /// <summary>Entries (i, j, slot, value) of the objective's P (½xᵀPx), already symmetric.</summary>
    public List<(int I, int J, int Slot, double Value)> Quadratic { get; } = [];

    /// <summary>The canonical affine form of <paramref name="e"/>; atoms go through <see cref="Dcp2ConeRegistry"/>.</summary>
    public LinearForm Canon(Expression e)
    {
        if (_memo.TryGetValue(e, out var known)) return known;
        LinearForm form = e switch
        {
            Variable v => LinearForm.Variable(_variableColumns[v], v.Shape),
            Parameter p => LinearForm.Parameter(_parameterSlots[p], p.Shape),
            Constant c => LinearForm.Constant(c.Values, c.Shape),
            Atom a => Dcp2ConeRegistry.Canonicalize(a, a.Args.Select(Canon).ToArray(), this),
            _ => throw new ArgumentException($"Unknown expression type {e.GetType().Name}.", nameof(e)),
        };
        _memo[e] = form;
        return form;
    }

    /// <summary>A new auxiliary variable.</summary>
    public LinearForm NewVariable(Shape shape)
    {
        var v = LinearForm.Variable(ColumnCount, shape);
        ColumnCount += shape.Size;
        return v;
    }

    /// <summary>A new auxiliary variable t (an epigraph or hypograph variable) with the constraints <paramref name="bound"/> adds on it.</summary>
    public LinearForm NewVariable(Shape shape, Action<LinearForm> bound)
    {
        var t = NewVariable(shape);
        bound(t);
        return t;
    }

    /// <summary>f = 0.</summary>
    public void Zero(LinearForm f) => Blocks.Add(new ConeBlock(new ZeroCone(f.Size), f));

    /// <summary>f ≥ 0 (elementwise).</summary>
    public void Nonnegative(LinearForm f) => Blocks.Add(new ConeBlock(new NonnegativeCone(f.Size), f));

    /// <summary>a ≤ b (elementwise; a scalar side broadcast).</summary>
    public void LessEqual(LinearForm a, LinearForm b) => Nonnegative(LinearForm.Add(b, a, -1));

    /// <summary>|x| ≤ t elementwise (t ≥ x and t ≥ −x; a scalar t bounds every entry).</summary>
    public void AbsoluteBound(LinearForm x, LinearForm t)
    {
        LessEqual(x, t);
        LessEqual(x.Scale(-1), t);
    }

    /// <summary>
    /// Adds the cone rows that <paramref name="rows"/> writes for an atom's bound on <paramref name="t"/> (f(x) ≤ t, or
    /// g(x) ≥ t when <paramref name="upper"/> is false) without auxiliary variables. The rows are written on a stand-in
    /// for t (entries of <paramref name="shape"/>; a scalar t is broadcast), then t's form replaces it; the stand-in's
    /// coefficients give the inequality's multiplier: perturbing t by dt moves the Lagrangian term −⟨y, s⟩ by
    /// −⟨y, (∂s/∂t)dt⟩, which must equal λ's term −λᵀdt for f ≤ t (+λᵀdt for g ≥ t), so λ = ±(∂s/∂t)ᵀy.
    /// </summary>
    public void Bound(LinearForm t, Shape shape, bool upper, Action<LinearForm> rows)
    {
        int first = Blocks.Count;
        rows(LinearForm.Variable(StandIn, shape));
        var tRows = t.ByRow();
        double sign = upper ? 1 : -1;
        for (int b = first; b < Blocks.Count; b++)
        {
            var terms = new List<Term>();
            var weights = new List<(int, int, double)>();
            foreach (var term in Blocks[b].Rows.Terms)
            {
                if (term.Column < StandIn)
                {
                    terms.Add(term);
                    continue;
                }
                if (term.Slot != LinearForm.One) throw new InvalidOperationException("A bound's rows scale t by a parameter.");
                int entry = term.Column - StandIn;
                weights.Add((term.Row, entry, sign * term.Value));
                foreach (var u in tRows[t.Size == 1 ? 0 : entry])
                    terms.Add(u with { Row = term.Row, Value = u.Value * term.Value });
            }
            Blocks[b] = new ConeBlock(Blocks[b].Cone, new LinearForm(Blocks[b].Rows.Shape, terms)) { Dual = new BoundDual(shape, weights) };
        }
    }

    /// <summary>The first column of <see cref="Bound"/>'s stand-in for t, beyond any real column.</summary>
    private const int StandIn = 1 << 30;

    /// <summary>(t, x) in the second-order cone.</summary>
    public void SecondOrder(LinearForm t, LinearForm x) =>
        Blocks.Add(new ConeBlock(new SecondOrderCone(1 + x.Size), LinearForm.Concat([t, x])));

    /// <summary>‖(b_i, c_i)‖₂ ≤ a_i for each i: k three-dimensional second-order cones (scalars broadcast).</summary>
    public void SecondOrderElementwise(LinearForm a, LinearForm b, LinearForm c)
    {
        int k = Math.Max(a.Size, Math.Max(b.Size, c.Size));
        var rows = Interleave(k, a, b, c);
        for (int i = 0; i < k; i++)
            Blocks.Add(new ConeBlock(new SecondOrderCone(3), rows.Select([3 * i, 3 * i + 1, 3 * i + 2], Shape.Vector(3))));
    }

    /// <summary>A new scalar t with <see cref="QuadOverLinBound"/>.</summary>
    public LinearForm QuadOverLinEpigraph(LinearForm x, LinearForm y) => NewVariable(Shape.Scalar, t => QuadOverLinBound(x, y, t));

    /// <summary>‖x‖²/y ≤ t (scalars y, t) via (y + t, y − t, 2x) in the second-order cone (which also forces y ≥ 0).</summary>
    public void QuadOverLinBound(LinearForm x, LinearForm y, LinearForm t) =>
        Blocks.Add(new ConeBlock(new SecondOrderCone(2 + x.Size), LinearForm.Concat([LinearForm.Add(y, t), LinearForm.Add(y, t, -1), x.Scale(2)])));

    /// <summary>(x_i, y_i, z_i) ∈ K_exp for each i (y e^{x/y} ≤ z; scalars broadcast).</summary>
    public void Exponential(LinearForm x, LinearForm y, LinearForm z)
    {
        int k = Math.Max(x.Size, Math.Max(y.Size, z.Size));
        Blocks.Add(new ConeBlock(new ExponentialCone(k), Interleave(k, x, y, z)));
    }

    /// <summary>The square form X is symmetric and positive semidefinite (svec rows; symmetry as equalities where X has variables).</summary>
    public void Psd(LinearForm X, int order)
    {
        var byRow = X.ByRow();
        var svec = new List<Term>();
        var asym = new List<Term>();
        int row = 0, asymRow = 0;
        double half = Math.Sqrt(0.5);
        for (int j = 0; j < order; j++)
            for (int i = j; i < order; i++, row++)
            {
                if (i == j)
                {
                    foreach (var t in byRow[i * order + i]) svec.Add(t with { Row = row });
                    continue;
                }
                // svec's √2·X_ij of the symmetric part (X_ij + X_ji)/2.
                foreach (var t in byRow[i * order + j]) svec.Add(t with { Row = row, Value = half * t.Value });
                foreach (var t in byRow[j * order + i]) svec.Add(t with { Row = row, Value = half * t.Value });
                var diff = new LinearForm(Shape.Scalar, byRow[i * order + j].Select(t => t with { Row = asymRow })
                    .Concat(byRow[j * order + i].Select(t => t with { Row = asymRow, Value = -t.Value })).ToList()).Merged().Terms;
                if (diff.Any(t => t.Column != LinearForm.One))
                {
                    asym.AddRange(diff);
                    asymRow++;
                }
            }
        if (asymRow > 0) Zero(new LinearForm(Shape.Vector(asymRow), asym));
        Blocks.Add(new ConeBlock(new PsdCone(order), new LinearForm(Shape.Vector(row), svec)));
    }

    /// <summary>Linear objective terms (column, slot, value) added by quadratic terms.</summary>
    public List<Term> LinearObjective { get; } = [];

    /// <summary>
    /// Terms w·‖g(θ)‖² of the objective's constant that are quadratic in θ (from expanded squared norms): they
    /// change the optimal value but neither x* nor its derivative, so they stay outside the affine map.
    /// </summary>
    public List<(LinearForm Offset, double Weight)> SquaredOffsets { get; } = [];

    /// <summary>
    /// Adds weight·‖r‖² to the objective. With r = Gx + g(θ) for a parameter-free G touching no more columns than r
    /// has rows, it is expanded to xᵀ(wGᵀG)x + 2w g(θ)ᵀGx + w‖g(θ)‖² (P constant, c affine in θ); otherwise it is a
    /// P block on a copy u = r (MODELING.md), which keeps parameters of G in A.
    /// </summary>
    public void SquaredNorm(LinearForm r, double weight)
    {
        var rows = r.ByRow();
        bool parameterFreeG = r.Terms.All(t => t.Column == LinearForm.One || t.Slot == LinearForm.One);
        int columns = r.Terms.Where(t => t.Column != LinearForm.One).Select(t => t.Column).Distinct().Count();
        if (parameterFreeG && columns <= r.Size)
        {
            foreach (var row in rows)
            {
                var g = row.Where(t => t.Column != LinearForm.One).ToList();
                foreach (var a in g)
                {
                    foreach (var b in g) Quadratic.Add((a.Column, b.Column, LinearForm.One, 2 * weight * a.Value * b.Value));
                    foreach (var o in row.Where(t => t.Column == LinearForm.One))
                        LinearObjective.Add(new Term(0, a.Column, o.Slot, 2 * weight * a.Value * o.Value));
                }
            }
            var offset = new LinearForm(r.Shape, r.Terms.Where(t => t.Column == LinearForm.One).ToList());
            if (offset.Terms.Count > 0) SquaredOffsets.Add((offset, weight));
            return;
        }
        int first = ColumnOf(r);
        for (int i = 0; i < r.Size; i++) Quadratic.Add((first + i, first + i, LinearForm.One, 2 * weight));
    }

    /// <summary>Adds weight·xᵀPx to the objective (P constant or parameter-affine; symmetrised).</summary>
    public void QuadraticForm(LinearForm x, LinearForm P, double weight)
    {
        int first = ColumnOf(x);
        int n = x.Size;
        foreach (var t in P.Terms)
        {
            int i = t.Row / n, j = t.Row % n;
            Quadratic.Add((first + i, first + j, t.Slot, weight * t.Value));
            Quadratic.Add((first + j, first + i, t.Slot, weight * t.Value));
        }
    }

    /// <summary>The copies u = r made for quadratic objective terms, with the zero-cone block that defines each.</summary>
    public List<Alias> Aliases { get; } = [];

    /// <summary>
    /// The first column of consecutive columns holding r: r itself when it is a plain slice of x, else a new u = r
    /// (recorded in <see cref="Aliases"/>).
    /// </summary>
    private int ColumnOf(LinearForm r)
    {
        if (r.Terms.Count == r.Size && r.Terms.Select((t, i) => t.Row == i && t.Slot == LinearForm.One && t.Value == 1 && t.Column >= 0
                && t.Column == r.Terms[0].Column + i).All(ok => ok))
            return r.Terms[0].Column;
        var u = NewVariable(Shape.Vector(r.Size));
        Zero(LinearForm.Add(u, r.WithShape(u.Shape), -1));
        Aliases.Add(new Alias(r, u.Terms[0].Column, Blocks[^1]));
        return u.Terms[0].Column;
    }

    /// <summary>Rows (a_0, b_0, c_0, a_1, …) of k triples, scalars broadcast.</summary>
    private static LinearForm Interleave(int k, LinearForm a, LinearForm b, LinearForm c)
    {
        var terms = new List<Term>();
        void Put(LinearForm f, int which)
        {
            foreach (var t in f.Terms)
                if (f.Size == 1 && k > 1)
                    for (int i = 0; i < k; i++) terms.Add(t with { Row = 3 * i + which });
                else terms.Add(t with { Row = 3 * t.Row + which });
        }
        Put(a, 0);
        Put(b, 1);
        Put(c, 2);
        return new LinearForm(Shape.Vector(3 * k), terms);
    }
}
