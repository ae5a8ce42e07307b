using DiffOpt.Modeling;

namespace DiffOpt.ML.Convex;

/// <summary>
/// Writes a <see cref="Problem"/>'s expression tree (format version 1, or 2 when the tree holds a node version 1 does not
/// know; documented in docs/guides/convex-mlnet.md):
/// <code>
///   int   format version (1 or 2)
///   int   node count N; then N nodes, each after the nodes it refers to (shared sub-trees written once):
///           byte tag (ProblemNodeTag); byte rank; int rows; int cols (the node's shape);
///           int argument count; int[] argument node indices (each smaller than this node's index);
///           payload by tag: Variable/Parameter: string name, bool nonnegative, bool psd;
///             Constant: double[rows·cols] row-major; Index: int count, int[count] flattened source entries,
///               byte form (IndexForm: 1 x[i], 2 x[a..b], 3 X[i, j], 4 X[i, a..b], 5 X[a..b, j], 6 X[a..b, c..d]);
///             Power: double p; Huber: double M; SumAlong (version 2): byte axis; others: nothing
///   bool  minimize; int objective node
///   int   constraint count; each: byte tag (ConstraintTag), int expression count, int[] node indices
///   string the problem as printed (checked after loading)
/// </code>
/// </summary>
internal sealed class ProblemWriter
{
    /// <summary>The newest version this writer produces and <see cref="ProblemReader"/> reads.</summary>
    public const int FormatVersion = 2;

    /// <summary>The version written when the tree needs nothing newer, so that older readers still load it.</summary>
    public const int BaseFormatVersion = 1;

    private readonly Dictionary<Expression, int> _index = new(ReferenceEqualityComparer.Instance);
    private readonly List<Action<BinaryWriter>> _nodes = [];
    private int _version = BaseFormatVersion;

    private ProblemWriter() { }

    /// <summary>Writes <paramref name="problem"/>; returns the node index of every leaf (to refer to them afterwards).</summary>
    /// <exception cref="NotSupportedException">The tree holds a node type this format does not know.</exception>
    public static IReadOnlyDictionary<Expression, int> Write(BinaryWriter writer, Problem problem)
    {
        var self = new ProblemWriter();
        int objective = self.Add(problem.Objective);
        var constraints = problem.Constraints.Select(c => (Tag: TagOf(c), Nodes: c.Expressions.Select(self.Add).ToArray())).ToArray();
        writer.Write(self._version);
        writer.Write(self._nodes.Count);
        foreach (var node in self._nodes)
            node(writer);
        writer.Write(problem.IsMinimize);
        writer.Write(objective);
        writer.Write(constraints.Length);
        foreach (var (tag, nodes) in constraints)
        {
            writer.Write((byte)tag);
            writer.Write(nodes.Length);
            foreach (var n in nodes)
                writer.Write(n);
        }
        writer.Write(Text(problem));
        return self._index;
    }

    /// <summary>The printed form of a problem, stored to detect a load that rebuilds a different problem.</summary>
    public static string Text(Problem problem) =>
        $"{(problem.IsMinimize ? "minimize" : "maximize")} {problem.Objective} subject to {string.Join("; ", problem.Constraints)}";

    private int Add(Expression e)
    {
        if (_index.TryGetValue(e, out int known)) return known;
        var args = e.Args.Select(Add).ToArray();
        var (tag, payload) = Describe(e);
        if (tag == ProblemNodeTag.SumAlong) _version = Math.Max(_version, 2);
        int id = _nodes.Count;
        _index[e] = id;
        _nodes.Add(w =>
        {
            w.Write((byte)tag);
            w.Write((byte)e.Shape.Rank);
            w.Write(e.Shape.Rows);
            w.Write(e.Shape.Cols);
            w.Write(args.Length);
            foreach (var a in args)
                w.Write(a);
            payload?.Invoke(w);
        });
        return id;
    }

    private static (ProblemNodeTag, Action<BinaryWriter>?) Describe(Expression e) => e switch
    {
        Variable v => (ProblemNodeTag.Variable, w => Leaf(w, v.Name, v.Nonnegative, v.Psd)),
        Parameter p => (ProblemNodeTag.Parameter, w => Leaf(w, p.Name, p.Nonnegative, p.Psd)),
        Constant c => (ProblemNodeTag.Constant, w => { foreach (var x in c.Values) w.Write(x); }),
        IndexAtom i => (ProblemNodeTag.Index, w => WriteIndex(w, i)),
        PowerAtom p => (ProblemNodeTag.Power, w => w.Write(p.P)),
        HuberAtom h => (ProblemNodeTag.Huber, w => w.Write(h.M)),
        SumAtom { Axis: { } axis } => (ProblemNodeTag.SumAlong, w => w.Write((byte)axis)),
        MultiplyAtom m => (IsElementwise(m) ? ProblemNodeTag.ElementwiseMultiply : ProblemNodeTag.ScalarMultiply, null),
        Atom a when Enum.TryParse<ProblemNodeTag>(a.Name, out var tag) && tag > ProblemNodeTag.Constant => (tag, null),
        _ => throw new NotSupportedException($"The model format cannot store '{e}' (node type {e.GetType().Name}); this DiffOpt.ML does not know that atom."),
    };

    private static void Leaf(BinaryWriter w, string name, bool nonnegative, bool psd)
    {
        w.Write(name);
        w.Write(nonnegative);
        w.Write(psd);
    }

    private static void WriteIndex(BinaryWriter w, IndexAtom atom)
    {
        w.Write(atom.Entries.Count);
        foreach (var r in atom.Entries)
            w.Write(r);
        w.Write((byte)IndexFormOf(atom));
    }

    /// <summary>How the index was written: x[i], x[a..b] or x[rows, cols] (the printed suffix tells).</summary>
    internal static IndexForm IndexFormOf(IndexAtom atom)
    {
        var text = atom.ToString();
        var suffix = text[text.LastIndexOf('[')..];
        if (!suffix.Contains(','))
            return suffix.Contains("..") ? IndexForm.Slice : IndexForm.Entry;
        var parts = suffix.Split(',');
        return (parts[0].Contains(".."), parts[1].Contains("..")) switch
        {
            (false, false) => IndexForm.MatrixEntry,
            (false, true) => IndexForm.RowSlice,
            (true, false) => IndexForm.ColumnSlice,
            _ => IndexForm.Block,
        };
    }

    /// <summary>Multiply(a, b) (elementwise) prints as a call, a scalar product as "a * b".</summary>
    private static bool IsElementwise(MultiplyAtom m) => m.ToString() == $"Multiply({m.Args[0]}, {m.Args[1]})";

    private static ConstraintTag TagOf(Constraint c) => c switch
    {
        EqualityConstraint => ConstraintTag.Equality,
        InequalityConstraint i => i.ToString() == $"{i.Expressions[1]} >= {i.Expressions[0]}" && i.ToString() != $"{i.Expressions[0]} <= {i.Expressions[1]}"
            ? ConstraintTag.GreaterEqual : ConstraintTag.LessEqual,
        PsdConstraint => ConstraintTag.Psd,
        SecondOrderConeConstraint => ConstraintTag.SecondOrderCone,
        _ => throw new NotSupportedException($"The model format cannot store the constraint '{c}' ({c.GetType().Name})."),
    };
}
