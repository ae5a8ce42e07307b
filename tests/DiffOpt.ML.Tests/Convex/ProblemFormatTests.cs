using System.Text;
using DiffOpt.ML.Convex;
using DiffOpt.Modeling;
using static DiffOpt.Modeling.Atoms;

namespace DiffOpt.ML.Tests.Convex;

/// <summary>The expression-tree serialisation alone: every atom and constraint kind round-trips, damage is refused.</summary>
public class ProblemFormatTests
{
    /// <summary>A tree that uses every atom and constraint kind (not meant to be DCP: the format does not care).</summary>
    private static Problem EveryAtom()
    {
        var x = new Variable(3, "x", nonnegative: true);
        var X = new Variable(2, 2, "X", psd: true);
        var p = new Parameter(3, "p");
        var P = new Parameter(2, 2, "P", psd: true);
        var shared = x - p; // used twice: written once
        Expression[] scalars =
        [
            Sum(x + p), Sum(shared), Sum(-x), Sum(2.0 * x), Sum(Multiply(p, x)), Sum(new double[,] { { 1, 2, 3 } } * x), Sum(x / 2.0),
            x[1], Sum(x[0..2]), X[0, 1], Sum(X[0, 0..2]), Sum(X[0..2, 1]), Sum(X[0..1, 0..2]), Sum(X[1, 1..2]), Sum(X[0..1, 0]), x[0..1][0], Sum(VStack(x, p)), Sum(HStack(x, shared)),
            Sum(Reshape(x, Shape.Matrix(3, 1))), Sum(Diag(x)), Sum(Diag(X)), Sum(Transpose(X)), Trace(X),
            SumSquares(x), Sum(Square(x)), Norm1(x), Norm2(x), NormInf(x), Sum(Abs(x)), Sum(Pos(x)), Sum(Neg(x)),
            Sum(Maximum(x, p)), Sum(Minimum(x, p, 1.0)), QuadForm(x[0..2], P), QuadOverLin(x, x[0]), Sum(Power(x, 0.5)),
            Sum(Sqrt(x)), Sum(Exp(x)), Sum(Log(x)), Sum(Entropy(x)), LogSumExp(x), Sum(Logistic(x)), Sum(Huber(x, 2.5)),
            Sum(KlDiv(x, p)), LambdaMax(X), LogDet(X), new Constant(new double[,] { { 1.5 } })[0, 0],
            Sum(Sum(X, 0)), Sum(Sum(X, 1) - Sum(X, 0)),
        ];
        var objective = scalars.Aggregate((a, b) => a + b);
        return Problem.Minimize(objective, x == p, x <= 4.0, p >= x[0], Constraint.Psd(X), Constraint.SecondOrderCone(x[0], x[1..3]));
    }

    private static byte[] Save(Problem problem)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
            ProblemWriter.Write(writer, problem);
        return buffer.ToArray();
    }

    private static Problem Load(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        var problem = ProblemReader.Read(reader, "test component").Problem;
        Assert.Equal(bytes.Length, reader.BaseStream.Position);
        return problem;
    }

    private static IEnumerable<Expression> PreOrder(Expression e) => e.Args.SelectMany(PreOrder).Prepend(e);

    [Fact]
    public void EveryAtomAndConstraintKind_RoundTrips_WithTheSameTree()
    {
        var original = EveryAtom();
        var loaded = Load(Save(original));
        Assert.Equal(ProblemWriter.Text(original), ProblemWriter.Text(loaded));
        Assert.Equal(original.Constraints.Select(c => c.GetType()), loaded.Constraints.Select(c => c.GetType()));
        var before = PreOrder(original.Objective).ToList();
        var after = PreOrder(loaded.Objective).ToList();
        Assert.Equal(before.Select(e => (e.GetType(), e.Shape, e.Sign)), after.Select(e => (e.GetType(), e.Shape, e.Sign)));
        Assert.Equal(
            before.OfType<Constant>().SelectMany(c => c.Values),
            after.OfType<Constant>().SelectMany(c => c.Values));
        Assert.Equal(original.Variables.Select(v => (v.Name, v.Nonnegative, v.Psd)), loaded.Variables.Select(v => (v.Name, v.Nonnegative, v.Psd)));
        Assert.Equal(original.Parameters.Select(p => (p.Name, p.Nonnegative, p.Psd)), loaded.Parameters.Select(p => (p.Name, p.Nonnegative, p.Psd)));
    }

    [Fact]
    public void BoundsInTheirDirectConeForms_RoundTrip_AndSolveTheSame()
    {
        // Mirrored and sign-dependent bounds (Sqrt(x) >= r needs r's nonnegativity) compile from the read tree as written.
        var x = new Variable(3, "x");
        var r = new Parameter("r", nonnegative: true);
        var original = Problem.Minimize(SumSquares(x - 1.0), Abs(x) <= 2.0, -Log(x) <= -r, 30.0 >= SumSquares(x), Sqrt(x) >= r, Minimum(x, 5.0) >= 0.1);
        var loaded = Load(Save(original));
        Assert.Equal(ProblemWriter.Text(original), ProblemWriter.Text(loaded));
        double[] Solve(Problem problem)
        {
            var solution = problem.Solve(new Dictionary<Parameter, TorchSharp.torch.Tensor> { [problem.Parameters[0]] = TorchSharp.torch.tensor(0.5) });
            Assert.Equal(SolverStatus.Solved, solution.Status[0]);
            return solution.Value(problem.Variables[0]).data<double>().ToArray();
        }
        var expected = Math.Exp(0.5);   // log x ≥ 0.5 is the active bound
        Assert.All(Solve(original), v => Assert.Equal(expected, v, 1e-6));
        Assert.Equal(Solve(original), Solve(loaded));
    }

    [Fact]
    public void TheTestTree_CoversEveryAtomTypeOfDiffOptCore()
    {
        // A new atom in DiffOpt.Modeling fails here until the format (ProblemNodeTag) and this tree know it.
        var atomTypes = typeof(Atom).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(Atom)) && !t.IsAbstract).ToHashSet();
        var used = PreOrder(EveryAtom().Objective).Select(e => e.GetType()).ToHashSet();
        Assert.Empty(atomTypes.Except(used).Select(t => t.Name));
    }

    [Fact]
    public void SharedSubtrees_AreWrittenOnce_AndStayShared()
    {
        var x = new Variable(2, "x");
        var shared = SumSquares(x);
        var loaded = Load(Save(Problem.Minimize(shared + shared)));
        Assert.Same(loaded.Objective.Args[0], loaded.Objective.Args[1]);
    }

    [Fact]
    public void AProblemWithoutVersion2Nodes_IsWrittenAsVersion1_AndSumAlongAnAxisNeedsVersion2()
    {
        var X = new Variable(2, 3, "X");
        var plain = Save(Problem.Minimize(SumSquares(X)));
        Assert.Equal(ProblemWriter.BaseFormatVersion, BitConverter.ToInt32(plain, 0));

        var withAxis = Save(Problem.Minimize(SumSquares(Sum(X, 1))));
        Assert.Equal(2, BitConverter.ToInt32(withAxis, 0));
        Assert.Equal("minimize SumSquares(Sum(X, axis: 1)) subject to ", ProblemWriter.Text(Load(withAxis)));

        // The same bytes labelled version 1: an older writer never wrote this node kind, so it is damage.
        BitConverter.GetBytes(ProblemWriter.BaseFormatVersion).CopyTo(withAxis, 0);
        Assert.Throws<FormatException>(() => Load(withAxis));
    }

    [Fact]
    public void AFutureProblemFormat_IsRefused_AskingForANewerDiffOpt()
    {
        var bytes = Save(EveryAtom());
        BitConverter.GetBytes(ProblemWriter.FormatVersion + 1).CopyTo(bytes, 0);
        var error = Assert.Throws<FormatException>(() => Load(bytes));
        Assert.Contains("newer DiffOpt.ML", error.Message);
    }

    [Fact]
    public void EveryTruncation_FailsWithAnException()
    {
        var bytes = Save(EveryAtom());
        for (int length = 0; length < bytes.Length; length += 7)
        {
            var error = Record.Exception(() => Load(bytes[..length]));
            Assert.True(error is FormatException or EndOfStreamException, $"truncated at {length}: {error?.GetType().Name}: {error?.Message}");
        }
    }

    [Fact]
    public void EverySingleByteChange_FailsOrRebuildsTheSameText()
    {
        // The model file's SHA-256 catches damage before this reader runs; the reader's own checks are the second
        // line: a changed byte must fail cleanly or leave a problem that prints the same (e.g. a name's letter
        // changed consistently is caught by the text check, a constant's last mantissa bit is not visible to it).
        var original = EveryAtom();
        var bytes = Save(original);
        var random = new Random(9);
        for (int trial = 0; trial < 400; trial++)
        {
            var damaged = (byte[])bytes.Clone();
            int at = random.Next(damaged.Length);
            damaged[at] ^= (byte)(1 << random.Next(8));
            try
            {
                var loaded = Load(damaged);
                Assert.Equal(ProblemWriter.Text(original), ProblemWriter.Text(loaded));
            }
            catch (Exception e) when (e is FormatException or EndOfStreamException)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
            }
        }
    }
}
