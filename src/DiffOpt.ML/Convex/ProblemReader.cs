using DiffOpt.ML.Persistence;
using DiffOpt.Modeling;
using static DiffOpt.Modeling.Atoms;

namespace DiffOpt.ML.Convex;

/// <summary>
/// Rebuilds a <see cref="Problem"/> written by <see cref="ProblemWriter"/> through the modeling language's public
/// constructors and operators, then checks that every node has its recorded shape and that the problem prints as
/// it did when saved. Anything else (an unknown tag, a bad reference, a failed check) is a <see cref="FormatException"/>.
/// </summary>
internal sealed class ProblemReader
{
    private const int MaxNodes = 1 << 20;
    private readonly BinaryReader _reader;
    private readonly string _component;
    private readonly List<Expression> _nodes = [];
    private int _version;

    private ProblemReader(BinaryReader reader, string component)
    {
        _reader = reader;
        _component = component;
    }

    /// <summary>The problem and its nodes by index (leaves included).</summary>
    public static (Problem Problem, IReadOnlyList<Expression> Nodes) Read(BinaryReader reader, string component)
    {
        var self = new ProblemReader(reader, component);
        int version = self._version = reader.ReadInt32();
        if (version is < ProblemWriter.BaseFormatVersion or > ProblemWriter.FormatVersion)
            throw version > ProblemWriter.FormatVersion
                ? new FormatException($"The {component} in this model file stores its problem in format version {version}, but this DiffOpt.ML reads version {ProblemWriter.FormatVersion}. Load it with a newer DiffOpt.ML.")
                : FormatGuard.Corrupt(component, $"the problem format version is {version}");
        int count = FormatGuard.ReadCount(reader, component, "the node count", 1, MaxNodes);
        for (int i = 0; i < count; i++)
            self._nodes.Add(self.ReadNode(i));
        bool minimize = reader.ReadBoolean();
        var objective = self.Node(reader.ReadInt32());
        int constraintCount = FormatGuard.ReadCount(reader, component, "the constraint count", 0, MaxNodes);
        var constraints = new Constraint[constraintCount];
        for (int i = 0; i < constraintCount; i++)
            constraints[i] = self.ReadConstraint();
        var text = reader.ReadString();
        var problem = self.Guard(() => minimize ? Problem.Minimize(objective, constraints) : Problem.Maximize(objective, constraints));
        if (ProblemWriter.Text(problem) != text)
            throw FormatGuard.Corrupt(component, $"the problem rebuilt from it reads '{ProblemWriter.Text(problem)}', not the saved '{text}'");
        return (problem, self._nodes);
    }

    /// <summary>Node <paramref name="index"/> as a leaf of type <typeparamref name="T"/> (a parameter or variable a binding refers to).</summary>
    public static T Leaf<T>(IReadOnlyList<Expression> nodes, int index, string component, string what) where T : Expression =>
        index >= 0 && index < nodes.Count && nodes[index] is T leaf ? leaf
            : throw FormatGuard.Corrupt(component, $"{what} refers to node {index}, which is not a {typeof(T).Name.ToLowerInvariant()}");

    private Expression Node(int index) => index >= 0 && index < _nodes.Count
        ? _nodes[index]
        : throw FormatGuard.Corrupt(_component, $"a reference to node {index} is out of range");

    private Expression ReadNode(int id)
    {
        var tagByte = _reader.ReadByte();
        if (!Enum.IsDefined(typeof(ProblemNodeTag), tagByte))
            throw FormatGuard.Corrupt(_component, $"node {id} has the unknown kind {tagByte}");
        var tag = (ProblemNodeTag)tagByte;
        var shape = ReadShape();
        int argCount = FormatGuard.ReadCount(_reader, _component, "an argument count", 0, MaxNodes);
        var args = new Expression[argCount];
        for (int i = 0; i < argCount; i++)
        {
            int a = _reader.ReadInt32();
            args[i] = a < id ? Node(a) : throw FormatGuard.Corrupt(_component, $"node {id} refers to a later node {a}");
        }
        var node = Guard(() => Build(tag, shape, args));
        if (node.Shape != shape)
            throw FormatGuard.Corrupt(_component, $"node {id} ({tag}) has shape {node.Shape} but was saved with {shape}");
        return node;
    }

    private Expression Build(ProblemNodeTag tag, Shape shape, Expression[] a) => tag switch
    {
        ProblemNodeTag.Variable => Arity(a, 0, () => ReadLeaf((name, nonneg, psd) => shape.Rank switch
        {
            0 => new Variable(name, nonneg),
            1 => new Variable(shape.Rows, name, nonneg),
            _ => new Variable(shape.Rows, shape.Cols, name, nonneg, psd),
        })),
        ProblemNodeTag.Parameter => Arity(a, 0, () => ReadLeaf((name, nonneg, psd) => shape.Rank switch
        {
            0 => new Parameter(name, nonneg),
            1 => new Parameter(shape.Rows, name, nonneg),
            _ => new Parameter(shape.Rows, shape.Cols, name, nonneg, psd),
        })),
        ProblemNodeTag.Constant => Arity(a, 0, () => ReadConstant(shape)),
        ProblemNodeTag.Add => Arity(a, 2, () => a[0] + a[1]),
        ProblemNodeTag.Subtract => Arity(a, 2, () => a[0] - a[1]),
        ProblemNodeTag.Negate => Arity(a, 1, () => -a[0]),
        ProblemNodeTag.ScalarMultiply => Arity(a, 2, () => a[0] * a[1]),
        ProblemNodeTag.ElementwiseMultiply => Arity(a, 2, () => Multiply(a[0], a[1])),
        ProblemNodeTag.MatMul => Arity(a, 2, () => a[0] * a[1]),
        ProblemNodeTag.Divide => Arity(a, 2, () => a[0] / a[1]),
        ProblemNodeTag.Index => Arity(a, 1, () => IndexFromRows(a[0], ReadRows(), (IndexForm)_reader.ReadByte(), shape)),
        ProblemNodeTag.VStack => VStack(a),
        ProblemNodeTag.HStack => HStack(a),
        ProblemNodeTag.Reshape => Arity(a, 1, () => Reshape(a[0], shape)),
        ProblemNodeTag.Diag => Arity(a, 1, () => Diag(a[0])),
        ProblemNodeTag.Transpose => Arity(a, 1, () => Transpose(a[0])),
        ProblemNodeTag.Trace => Arity(a, 1, () => Trace(a[0])),
        ProblemNodeTag.Sum => Arity(a, 1, () => Sum(a[0])),
        ProblemNodeTag.SumAlong when _version >= 2 => Arity(a, 1, () => Sum(a[0], ReadAxis())),
        ProblemNodeTag.SumSquares => Arity(a, 1, () => SumSquares(a[0])),
        ProblemNodeTag.Square => Arity(a, 1, () => Square(a[0])),
        ProblemNodeTag.Norm1 => Arity(a, 1, () => Norm1(a[0])),
        ProblemNodeTag.Norm2 => Arity(a, 1, () => Norm2(a[0])),
        ProblemNodeTag.NormInf => Arity(a, 1, () => NormInf(a[0])),
        ProblemNodeTag.Abs => Arity(a, 1, () => Abs(a[0])),
        ProblemNodeTag.Pos => Arity(a, 1, () => Pos(a[0])),
        ProblemNodeTag.Neg => Arity(a, 1, () => Neg(a[0])),
        ProblemNodeTag.Maximum => Maximum(a),
        ProblemNodeTag.Minimum => Minimum(a),
        ProblemNodeTag.QuadForm => Arity(a, 2, () => QuadForm(a[0], a[1])),
        ProblemNodeTag.QuadOverLin => Arity(a, 2, () => QuadOverLin(a[0], a[1])),
        ProblemNodeTag.Power => Arity(a, 1, () => Power(a[0], FormatGuard.ReadFinite(_reader, _component, "a power's exponent"))),
        ProblemNodeTag.Sqrt => Arity(a, 1, () => Sqrt(a[0])),
        ProblemNodeTag.Exp => Arity(a, 1, () => Exp(a[0])),
        ProblemNodeTag.Log => Arity(a, 1, () => Log(a[0])),
        ProblemNodeTag.Entropy => Arity(a, 1, () => Entropy(a[0])),
        ProblemNodeTag.LogSumExp => Arity(a, 1, () => LogSumExp(a[0])),
        ProblemNodeTag.Logistic => Arity(a, 1, () => Logistic(a[0])),
        ProblemNodeTag.Huber => Arity(a, 1, () => Huber(a[0], FormatGuard.ReadFinite(_reader, _component, "a Huber threshold"))),
        ProblemNodeTag.KlDiv => Arity(a, 2, () => KlDiv(a[0], a[1])),
        ProblemNodeTag.LambdaMax => Arity(a, 1, () => LambdaMax(a[0])),
        ProblemNodeTag.LogDet => Arity(a, 1, () => LogDet(a[0])),
        _ => throw FormatGuard.Corrupt(_component, $"the node kind {tag} is unknown"),
    };

    private Expression Arity(Expression[] args, int expected, Func<Expression> build) => args.Length == expected
        ? build()
        : throw FormatGuard.Corrupt(_component, $"a node has {args.Length} arguments where {expected} were expected");

    private Expression ReadLeaf(Func<string, bool, bool, Expression> create)
    {
        var name = FormatGuard.ReadName(_reader, _component);
        bool nonnegative = _reader.ReadBoolean();
        bool psd = _reader.ReadBoolean();
        return create(name, nonnegative, psd);
    }

    private Constant ReadConstant(Shape shape)
    {
        var values = FormatGuard.ReadFiniteArray(_reader, _component, "a constant", shape.Size);
        return shape.Rank switch
        {
            0 => new Constant(values[0]),
            1 => new Constant(values),
            _ => new Constant(Matrix(values, shape.Rows, shape.Cols)),
        };
    }

    private int ReadAxis()
    {
        byte axis = _reader.ReadByte();
        return axis is 0 or 1 ? axis : throw FormatGuard.Corrupt(_component, $"a sum's axis is {axis}, not 0 or 1");
    }

    private int[] ReadRows()
    {
        int count = FormatGuard.ReadCount(_reader, _component, "an index count", 1, MaxNodes);
        return Enumerable.Range(0, count).Select(_ => _reader.ReadInt32()).ToArray();
    }

    /// <summary>The index atom of <paramref name="x"/> selecting <paramref name="rows"/>, built with the indexers.</summary>
    private Expression IndexFromRows(Expression x, int[] rows, IndexForm form, Shape shape)
    {
        int cols = x.Shape.Rank == 2 ? x.Shape.Cols : 1;
        int first = rows[0], r0 = first / cols, c0 = first % cols;
        Expression built = (form, shape.Rank, x.Shape.Rank) switch
        {
            (IndexForm.Entry, 0, _) => x[first],
            (IndexForm.Slice, 1, 1) => x[first..(first + shape.Rows)],
            (IndexForm.MatrixEntry, 0, 2) => x[r0, c0],
            (IndexForm.ColumnSlice, 1, 2) => x[r0..(r0 + shape.Rows), c0],
            (IndexForm.RowSlice, 1, 2) => x[r0, c0..(c0 + shape.Rows)],
            (IndexForm.Block, 2, 2) => x[r0..(r0 + shape.Rows), c0..(c0 + shape.Cols)],
            _ => throw FormatGuard.Corrupt(_component, $"an index node ({form}) of shape {shape} cannot select from shape {x.Shape}"),
        };
        if (built is not IndexAtom atom || !atom.Entries.SequenceEqual(rows))
            throw FormatGuard.Corrupt(_component, $"the entries an index node of '{x}' selects are not a slice or block");
        return built;
    }

    private Constraint ReadConstraint()
    {
        var tagByte = _reader.ReadByte();
        int count = FormatGuard.ReadCount(_reader, _component, "a constraint's expression count", 1, 2);
        var e = Enumerable.Range(0, count).Select(_ => Node(_reader.ReadInt32())).ToArray();
        return Guard(() => ((ConstraintTag)tagByte, e.Length) switch
        {
            (ConstraintTag.Equality, 2) => e[0] == e[1],
            (ConstraintTag.LessEqual, 2) => e[0] <= e[1],
            (ConstraintTag.GreaterEqual, 2) => e[1] >= e[0],
            (ConstraintTag.Psd, 1) => Constraint.Psd(e[0]),
            (ConstraintTag.SecondOrderCone, 2) => Constraint.SecondOrderCone(e[0], e[1]),
            _ => throw FormatGuard.Corrupt(_component, $"a constraint has the unknown kind {tagByte} or {e.Length} expressions"),
        });
    }

    private Shape ReadShape()
    {
        int rank = _reader.ReadByte(), rows = _reader.ReadInt32(), cols = _reader.ReadInt32();
        if (rows < 1 || cols < 1 || (long)rows * cols > MaxNodes * 16L)
            throw FormatGuard.Corrupt(_component, $"a node claims the shape {rows} × {cols}");
        return Guard(() => rank switch
        {
            0 when rows == 1 && cols == 1 => Shape.Scalar,
            1 when cols == 1 => Shape.Vector(rows),
            2 => Shape.Matrix(rows, cols),
            _ => throw FormatGuard.Corrupt(_component, $"a node has the impossible shape rank {rank}, {rows} × {cols}"),
        });
    }

    /// <summary>Runs a modeling-language call; its argument errors mean the file does not describe a valid problem.</summary>
    private T Guard<T>(Func<T> build)
    {
        try
        {
            return build();
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or InvalidOperationException)
        {
            throw FormatGuard.Corrupt(_component, e.Message);
        }
    }

    private static double[,] Matrix(double[] values, int rows, int cols)
    {
        var m = new double[rows, cols];
        Buffer.BlockCopy(values, 0, m, 0, values.Length * sizeof(double));
        return m;
    }
}
