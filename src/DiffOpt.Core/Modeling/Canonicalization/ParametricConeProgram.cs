using DiffOpt.Cones;

namespace DiffOpt.Modeling;

/// <summary>
/// A problem compiled once into the parametric cone program
/// minimize cᵀx + ½xᵀPx + d subject to Ax + s = b, s ∈ K, whose data (c, A, b, P, d) are sparse affine maps of the
/// parameter vector [θ; 1] (θ = the parameters flattened row-major, in <see cref="Parameters"/> order). The user's
/// variables are fixed slices of x; cone rows come in the order zero, nonnegative, second-order, PSD, exponential.
/// </summary>
internal sealed class ParametricConeProgram
{
    private ParametricConeProgram(int n, int m, IReadOnlyList<Cone> cones, IReadOnlyList<Parameter> parameters,
        IReadOnlyDictionary<Parameter, int> slots, IReadOnlyDictionary<Variable, int> columns, double sign,
        AffineDataMap c, AffineDataMap A, AffineDataMap b, AffineDataMap? P, AffineDataMap d, IReadOnlyList<(AffineDataMap, double)> squaredOffsets,
        IReadOnlyDictionary<Constraint, ConstraintRows> constraintRows)
    {
        ConstraintRows = constraintRows;
        SquaredOffsets = squaredOffsets;
        VariableCount = n;
        RowCount = m;
        Cones = cones;
        Parameters = parameters;
        ParameterSlots = slots;
        VariableColumns = columns;
        ObjectiveSign = sign;
        C = c;
        this.A = A;
        B = b;
        this.P = P;
        D = d;
        IsQp = true;
        foreach (var k in cones)
        {
            if (k is ZeroCone z) ZeroRows += z.Rows;
            IsQp &= k is ZeroCone or NonnegativeCone;
        }
        _definedVariables = new Lazy<DefinedVariables?>(() => Modeling.DefinedVariables.Find(this));
    }

    public int VariableCount { get; }

    public int RowCount { get; }

    public IReadOnlyList<Cone> Cones { get; }

    public IReadOnlyList<Parameter> Parameters { get; }

    public IReadOnlyDictionary<Parameter, int> ParameterSlots { get; }

    public IReadOnlyDictionary<Variable, int> VariableColumns { get; }

    /// <summary>+1 for a minimisation, −1 for a maximisation (the program minimises sign·objective).</summary>
    public double ObjectiveSign { get; }

    public AffineDataMap C { get; }

    public AffineDataMap A { get; }

    public AffineDataMap B { get; }

    /// <summary>The map of P (n × n, row-major), or null for a linear objective.</summary>
    public AffineDataMap? P { get; }

    /// <summary>The objective's constant term.</summary>
    public AffineDataMap D { get; }

    /// <summary>Objective constants w·‖g(θ)‖² quadratic in θ (maps of g and weights w); they do not affect x*.</summary>
    public IReadOnlyList<(AffineDataMap G, double Weight)> SquaredOffsets { get; }

    /// <summary>The leading zero-cone rows (equalities).</summary>
    public int ZeroRows { get; }

    /// <summary>Only zero and nonnegative cones: a QP (or LP).</summary>
    public bool IsQp { get; }

    /// <summary>The rows of each user constraint's own cone block (the block its canonicaliser adds last), for its dual.</summary>
    public IReadOnlyDictionary<Constraint, ConstraintRows> ConstraintRows { get; }

    /// <summary>The variables that one equality defines, eliminated on the QP route (null when none; found once).</summary>
    public DefinedVariables? DefinedVariables => _definedVariables.Value;

    private readonly Lazy<DefinedVariables?> _definedVariables;

    /// <summary>The parameter count p (length of θ).</summary>
    public int ParameterCount => Parameters.Sum(q => q.Shape.Size);

    /// <summary>Canonicalises a DPP problem (checked by the caller).</summary>
    public static ParametricConeProgram Compile(Problem problem)
    {
        var parameters = problem.Parameters;
        var slots = new Dictionary<Parameter, int>();
        int p = 0;
        foreach (var q in parameters)
        {
            slots[q] = p;
            p += q.Shape.Size;
        }
        var columns = new Dictionary<Variable, int>();
        int n = 0;
        foreach (var v in problem.Variables)
        {
            columns[v] = n;
            n += v.Shape.Size;
        }
        var context = new CanonContext(columns, n, slots);
        double sign = problem.IsMinimize ? 1 : -1;
        var linear = ObjectiveCanonicalizer.Canonicalize(problem.Objective, sign, context);
        var owned = new Dictionary<ConeBlock, Constraint>(ReferenceEqualityComparer.Instance);
        foreach (var constraint in problem.Constraints)
        {
            int before = context.Blocks.Count;
            constraint.Canonicalize(context);
            // A bound in its direct cone form owns all its blocks (their rows make up its dual); any other constraint its last.
            for (int b = before; b < context.Blocks.Count; b++)
                if (context.Blocks[b].Dual is not null || b == context.Blocks.Count - 1) owned[context.Blocks[b]] = constraint;
        }
        foreach (var (v, first) in columns)
        {
            var x = LinearForm.Variable(first, v.Shape);
            if (v.Nonnegative) context.Nonnegative(x);
            if (v.Psd) context.Psd(x, v.Shape.Rows);
        }
        return Assemble(context, linear, parameters, slots, columns, sign, p, owned);
    }

    /// <summary>Orders the cone blocks and collects (c, A, b, P, d) as maps of [θ; 1].</summary>
    private static ParametricConeProgram Assemble(CanonContext context, LinearForm linear, IReadOnlyList<Parameter> parameters,
        Dictionary<Parameter, int> slots, Dictionary<Variable, int> columns, double sign, int p, Dictionary<ConeBlock, Constraint> owned)
    {
        var constraintRows = new Dictionary<Constraint, ConstraintRows>(ReferenceEqualityComparer.Instance);
        Dictionary<Constraint, (Shape Shape, List<(int, int, double)> Weights)>? boundDuals = null;
        int n = context.ColumnCount;
        var aliases = new AliasSubstitution(context);
        var cones = new List<Cone>();
        var aEntries = new CoefficientBuffer();
        var bEntries = new CoefficientBuffer();
        int row = 0;
        // Cone blocks in the order zero, nonnegative, second-order, PSD, exponential; in the order added within a kind.
        for (int rank = 0; rank <= 4; rank++)
            foreach (var block in context.Blocks)
            {
                if (Rank(block.Cone) != rank) continue;
                // s = form = g + Gx, so Ax + s = b with A = −G and b = g.
                foreach (var t in aliases.Rows(block).Terms)
                    if (t.Column >= 0) aEntries.Add((long)(row + t.Row) * n + t.Column, t.Slot, -t.Value);
                    else bEntries.Add(row + t.Row, t.Slot, t.Value);
                if (owned.TryGetValue(block, out var constraint) && block.Dual is { } dual)
                {
                    boundDuals ??= new(ReferenceEqualityComparer.Instance);
                    if (!boundDuals.TryGetValue(constraint, out var weights)) boundDuals[constraint] = weights = (dual.Shape, []);
                    foreach (var w in dual.Weights) weights.Weights.Add((row + w.Row, w.Entry, w.Weight));
                }
                else if (constraint is not null)
                    constraintRows[constraint] = new ConstraintRows(row, block.Cone, block.Cone is PsdCone k
                        ? Shape.Matrix(k.Order, k.Order)
                        : block.Rows.Shape);
                AppendCone(cones, block.Cone);
                row += block.Cone.Rows;
            }
        if (boundDuals is not null)
            foreach (var (constraint, dual) in boundDuals)
                constraintRows[constraint] = new ConstraintRows(0, new NonnegativeCone(dual.Shape.Size), dual.Shape, dual.Weights);
        var cEntries = new CoefficientBuffer();
        var dEntries = new CoefficientBuffer();
        foreach (var t in linear.Terms)
            if (t.Column >= 0) cEntries.Add(t.Column, t.Slot, t.Value);
            else dEntries.Add(0, t.Slot, t.Value);
        var pEntries = new CoefficientBuffer(context.Quadratic.Count);
        foreach (var q in context.Quadratic) pEntries.Add((long)q.I * n + q.J, q.Slot, q.Value);
        var squaredOffsets = new (AffineDataMap, double)[context.SquaredOffsets.Count];
        for (int k = 0; k < squaredOffsets.Length; k++)
        {
            var (offset, weight) = context.SquaredOffsets[k];
            var entries = new CoefficientBuffer(offset.Terms.Count);
            foreach (var t in offset.Terms) entries.Add(t.Row, t.Slot, t.Value);
            squaredOffsets[k] = (new AffineDataMap(offset.Size, p, entries), weight);
        }
        return new ParametricConeProgram(n, row, cones, parameters, slots, columns, sign,
            new AffineDataMap(n, p, cEntries), new AffineDataMap((long)row * n, p, aEntries), new AffineDataMap(row, p, bEntries),
            pEntries.Count == 0 ? null : new AffineDataMap((long)n * n, p, pEntries), new AffineDataMap(1, p, dEntries),
            squaredOffsets, constraintRows);
    }

    /// <summary>The position of a cone's kind in the program's row order.</summary>
    private static int Rank(Cone k) => k switch { ZeroCone => 0, NonnegativeCone => 1, SecondOrderCone => 2, PsdCone => 3, _ => 4 };

    /// <summary>Appends a cone, merging it into the previous one when both are zero, nonnegative or exponential.</summary>
    private static void AppendCone(List<Cone> cones, Cone cone)
    {
        var last = cones.Count > 0 ? cones[^1] : null;
        switch ((last, cone))
        {
            case (ZeroCone a, ZeroCone b):
                cones[^1] = new ZeroCone(a.Dimension + b.Dimension);
                break;
            case (NonnegativeCone a, NonnegativeCone b):
                cones[^1] = new NonnegativeCone(a.Dimension + b.Dimension);
                break;
            case (ExponentialCone a, ExponentialCone b):
                cones[^1] = new ExponentialCone(a.Count + b.Count);
                break;
            default:
                cones.Add(cone);
                break;
        }
    }
}

/// <summary>
/// Where a user constraint's dual lives in the cone program's y: <see cref="Cone"/>'s rows from <paramref name="Offset"/>,
/// read as <paramref name="Shape"/> (the constraint's shape; a PSD block's svec rows as its symmetric matrix). For a
/// bound in its direct cone form, <paramref name="Weights"/> instead: entry e of the dual is Σ Weight·y_Row over its
/// (Row, e, Weight), and the cone is the nonnegative orthant of the multiplier λ.
/// </summary>
internal sealed record ConstraintRows(int Offset, Cone Cone, Shape Shape, IReadOnlyList<(int Row, int Entry, double Weight)>? Weights = null);
