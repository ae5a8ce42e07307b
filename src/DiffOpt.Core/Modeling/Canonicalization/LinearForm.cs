namespace DiffOpt.Modeling;

/// <summary>
/// One coefficient of a <see cref="LinearForm"/>: entry <see cref="Row"/> of the form gains
/// <see cref="Value"/>·θ_<see cref="Slot"/>·x_<see cref="Column"/>, where Column −1 means the constant 1 (an offset)
/// and Slot −1 means the constant 1 instead of a parameter entry.
/// </summary>
internal readonly record struct Term(int Row, int Column, int Slot, double Value);

/// <summary>
/// An affine function of the cone program's variable x whose coefficients are affine in the parameter vector θ:
/// entry r = Σ_terms Value·[θ; 1]_Slot·[x; 1]_Column (cvxpy keeps the same three-index tensor). A product of two
/// forms exists when at most one has variables and at most one depends on θ; this is exactly DPP's product rule,
/// so canonicalising a DPP problem keeps every entry of (c, A, b, P) affine in θ.
/// </summary>
internal sealed class LinearForm
{
    public const int One = -1;

    public LinearForm(Shape shape, List<Term> terms)
    {
        Shape = shape;
        Terms = terms;
    }

    public Shape Shape { get; }

    public int Size => Shape.Size;

    public List<Term> Terms { get; }

    public bool HasVariables => Terms.Any(t => t.Column != One);

    public bool HasParameters => Terms.Any(t => t.Slot != One);

    /// <summary>The constant form with the given row-major values.</summary>
    public static LinearForm Constant(IReadOnlyList<double> values, Shape shape)
    {
        var terms = new List<Term>(values.Count);
        for (int i = 0; i < values.Count; i++)
            if (values[i] != 0) terms.Add(new Term(i, One, One, values[i]));
        return new LinearForm(shape, terms);
    }

    /// <summary>The constant scalar <paramref name="value"/>.</summary>
    public static LinearForm Scalar(double value) => Constant([value], Modeling.Shape.Scalar);

    /// <summary>x[first + i] for entry i.</summary>
    public static LinearForm Variable(int first, Shape shape)
    {
        var terms = new List<Term>(shape.Size);
        for (int i = 0; i < shape.Size; i++) terms.Add(new Term(i, first + i, One, 1));
        return new(shape, terms);
    }

    /// <summary>θ[first + i] for entry i.</summary>
    public static LinearForm Parameter(int first, Shape shape)
    {
        var terms = new List<Term>(shape.Size);
        for (int i = 0; i < shape.Size; i++) terms.Add(new Term(i, One, first + i, 1));
        return new(shape, terms);
    }

    /// <summary>The same terms seen with another shape of the same size.</summary>
    public LinearForm WithShape(Shape shape) => new(shape, Terms);

    /// <summary>a + s·b, a scalar side broadcast to the other's shape.</summary>
    public static LinearForm Add(LinearForm a, LinearForm b, double s = 1)
    {
        if (a.Size == 1 && b.Size > 1) a = a.Broadcast(b.Shape);
        if (b.Size == 1 && a.Size > 1) b = b.Broadcast(a.Shape);
        var terms = new List<Term>(a.Terms.Count + b.Terms.Count);
        terms.AddRange(a.Terms);
        foreach (var t in b.Terms) terms.Add(t with { Value = s * t.Value });
        return new LinearForm(a.Shape.Rank >= b.Shape.Rank ? a.Shape : b.Shape, terms);
    }

    /// <summary>s·a.</summary>
    public LinearForm Scale(double s) => new(Shape, Terms.Select(t => t with { Value = s * t.Value }).ToList());

    /// <summary>A scalar form repeated into every entry of <paramref name="shape"/>.</summary>
    public LinearForm Broadcast(Shape shape)
    {
        var terms = new List<Term>(Terms.Count * shape.Size);
        for (int r = 0; r < shape.Size; r++)
            foreach (var t in Terms) terms.Add(t with { Row = r });
        return new LinearForm(shape, terms);
    }

    /// <summary>Entry i of the result is entry <paramref name="rows"/>[i] of this form.</summary>
    public LinearForm Select(IReadOnlyList<int> rows, Shape shape)
    {
        var byRow = ByRow();
        var terms = new List<Term>();
        for (int i = 0; i < rows.Count; i++)
            foreach (var t in byRow[rows[i]]) terms.Add(t with { Row = i });
        return new LinearForm(shape, terms);
    }

    /// <summary>The sum of all entries (a scalar).</summary>
    public LinearForm Sum() => new(Modeling.Shape.Scalar, Terms.Select(t => t with { Row = 0 }).ToList());

    /// <summary>
    /// The sums of a matrix form along <paramref name="axis"/> (entries are row-major): axis 0 adds the rows (one
    /// entry per column), axis 1 adds the columns (one entry per row); the result has <paramref name="shape"/>.
    /// </summary>
    public LinearForm SumAlong(int axis, Shape shape)
    {
        int cols = Shape.Cols;
        return new(shape, Terms.Select(t => t with { Row = axis == 0 ? t.Row % cols : t.Row / cols }).ToList());
    }

    /// <summary>The forms' entries one after another (as a vector of their total size).</summary>
    public static LinearForm Concat(IReadOnlyList<LinearForm> parts)
    {
        var terms = new List<Term>();
        int offset = 0;
        foreach (var p in parts)
        {
            foreach (var t in p.Terms) terms.Add(t with { Row = t.Row + offset });
            offset += p.Size;
        }
        return new LinearForm(Modeling.Shape.Vector(offset), terms);
    }

    /// <summary>
    /// The matrix product of an (m × n) form and an (n × k) form (vectors as m × 1 or 1 × n as the caller decides),
    /// as an m × k form of <paramref name="shape"/>.
    /// </summary>
    public static LinearForm MatMul(LinearForm left, int m, int n, LinearForm right, int k, Shape shape, Func<string> where)
    {
        var rightByRow = right.ByRow(); // right's entry (l, j) is row l·k + j
        var byL = new List<Term>[n];
        for (int l = 0; l < n; l++) byL[l] = [];
        for (int r = 0; r < rightByRow.Length; r++) byL[r / k].AddRange(rightByRow[r]);
        var terms = new List<Term>();
        foreach (var a in left.Terms)
        {
            int i = a.Row / n, l = a.Row % n;
            foreach (var b in byL[l])
                terms.Add(Product(a, b, i * k + b.Row % k, where));
        }
        return new LinearForm(shape, terms);
    }

    /// <summary>The elementwise product (a scalar side broadcast).</summary>
    public static LinearForm Multiply(LinearForm a, LinearForm b, Shape shape, Func<string> where)
    {
        if (a.Size == 1 && b.Size > 1) a = a.Broadcast(b.Shape);
        if (b.Size == 1 && a.Size > 1) b = b.Broadcast(a.Shape);
        var bRows = b.ByRow();
        var terms = new List<Term>();
        foreach (var t in a.Terms)
            foreach (var u in bRows[t.Row])
                terms.Add(Product(t, u, t.Row, where));
        return new LinearForm(shape, terms);
    }

    /// <summary>The product of two coefficients; refuses variable × variable and parameter × parameter.</summary>
    private static Term Product(Term a, Term b, int row, Func<string> where)
    {
        if (a.Column != One && b.Column != One)
            throw new DcpException(where(), "a product of two expressions with variables is not affine");
        if (a.Slot != One && b.Slot != One)
            throw new DppException(where(), "a product of two parameter-dependent factors is not affine in the parameters");
        return new Term(row, a.Column != One ? a.Column : b.Column, a.Slot != One ? a.Slot : b.Slot, a.Value * b.Value);
    }

    /// <summary>The same function with duplicate (row, column, slot) terms added up and zero terms dropped.</summary>
    public LinearForm Merged()
    {
        var sums = new Dictionary<(int, int, int), double>();
        foreach (var t in Terms)
            sums[(t.Row, t.Column, t.Slot)] = sums.GetValueOrDefault((t.Row, t.Column, t.Slot)) + t.Value;
        return new LinearForm(Shape, sums.Where(kv => kv.Value != 0).Select(kv => new Term(kv.Key.Item1, kv.Key.Item2, kv.Key.Item3, kv.Value)).ToList());
    }

    /// <summary>The terms grouped by entry.</summary>
    public List<Term>[] ByRow()
    {
        var rows = new List<Term>[Size];
        for (int i = 0; i < rows.Length; i++) rows[i] = [];
        foreach (var t in Terms) rows[t.Row].Add(t);
        return rows;
    }

    /// <summary>The constant values when the form has neither variables nor parameters.</summary>
    public double[] ConstantValues()
    {
        if (HasVariables || HasParameters) throw new InvalidOperationException("The form is not constant.");
        var v = new double[Size];
        foreach (var t in Terms) v[t.Row] += t.Value;
        return v;
    }
}
