using DiffOpt.Modeling;
using static DiffOpt.Modeling.Atoms;

namespace DiffOpt.Tests.Modeling;

/// <summary>
/// Every atom's cone form against its definition: at a random point p, the optimal value of
/// minimize Σt s.t. atom(x) ≤ t, x = p (maximize Σt s.t. atom(x) ≥ t for concave atoms; minimize Σ W∘atom(x) for
/// affine ones) must equal the atom's value at p, computed here from its definition. The bound is written both as
/// it stands (the atom's direct bound where it has one) and as atom(x) + 0 ≤ t (through its epigraph variable).
/// </summary>
public class AtomCanonicalizationTests
{
    public static TheoryData<string, bool> Cases
    {
        get
        {
            var data = new TheoryData<string, bool>();
            foreach (var (name, c) in AtomCases.All)
            {
                data.Add(name, false);
                if (c.Kind != AtomKind.Affine) data.Add(name, true);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ConeForm_HasTheAtomsValue_AtRandomPoints(string name, bool throughEpigraph)
    {
        var c = AtomCases.All[name];
        var x = c.Shape.Rank == 2 ? new Variable(c.Shape.Rows, c.Shape.Cols, "x") : new Variable(c.Shape.Rows, "x");
        // A seed fixed by the case's name (string.GetHashCode is randomised per process), so that a failure reproduces.
        var point = c.Point(new Random(name.Aggregate(20261206, (hash, ch) => unchecked(hash * 31 + ch))));
        var atom = c.Atom(x);
        Problem problem;
        double expected;
        var value = c.Value(point);
        if (c.Kind == AtomKind.Affine)
        {
            var w = Enumerable.Range(0, atom.Shape.Size).Select(i => Math.Cos(1 + i)).ToArray();
            var W = atom.Shape.Rank == 2 ? new Constant(To2D(w, atom.Shape.Rows, atom.Shape.Cols)) : atom.Shape.Rank == 1 ? new Constant(w) : new Constant(w[0]);
            problem = Problem.Minimize(Sum(Multiply(W, atom)), x == Point(point, c.Shape));
            expected = value.Select((v, i) => v * w[i]).Sum();
        }
        else
        {
            // A nonnegative t where the values are: Sqrt's direct bound needs t ≥ 0 known.
            bool nonnegative = value.All(v => v >= 0);
            Expression t = atom.Shape.IsScalar ? new Variable("t", nonnegative) : new Variable(atom.Shape.Size, "t", nonnegative);
            var tShaped = atom.Shape.Rank == 2 ? Reshape(t, atom.Shape) : t;
            var bounded = throughEpigraph ? atom + 0 : atom;
            problem = c.Kind == AtomKind.Convex
                ? Problem.Minimize(Sum(t), bounded <= tShaped, x == Point(point, c.Shape))
                : Problem.Maximize(Sum(t), bounded >= tShaped, x == Point(point, c.Shape));
            expected = value.Sum();
        }
        Assert.True(problem.IsDpp());

        var solution = problem.Solve(options: LayerChecks.Tight with { UseQpSolver = false });

        Assert.True(solution.Status[0].HasSolution(), $"{name}: {solution.Status[0]}");
        Assert.True(Math.Abs(solution.OptimalValue[0] - expected) <= 1e-6 * Math.Max(1, Math.Abs(expected)),
            $"{name}: cone form {solution.OptimalValue[0]:G12}, definition {expected:G12}");
    }

    [Fact]
    public void EveryAtomType_HasOneCanonicaliser_AndATestCase()
    {
        var atomTypes = typeof(Atom).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(Atom)) && !t.IsAbstract).ToHashSet();
        Assert.Equal(atomTypes.OrderBy(t => t.Name), Dcp2ConeRegistry.AtomTypes.OrderBy(t => t.Name));
        var tested = AtomCases.All.Values.Select(c => c.Atom(c.Shape.Rank == 2 ? new Variable(c.Shape.Rows, c.Shape.Cols) : new Variable(c.Shape.Rows)))
            .SelectMany(Walk).Select(e => e.GetType()).ToHashSet();
        Assert.Empty(atomTypes.Except(tested).Select(t => t.Name));
    }

    private static IEnumerable<Expression> Walk(Expression e) => e.Args.SelectMany(Walk).Prepend(e);

    private static Constant Point(double[] p, Shape shape) => shape.Rank == 2 ? new Constant(To2D(p, shape.Rows, shape.Cols)) : new Constant(p);

    [Fact]
    public void SumAlongAnAxis_NeedsAMatrixAndAxis0Or1_AndPrintsItsAxis()
    {
        var X = new Variable(2, 3, "X");
        var x = new Variable(3, "x");
        Assert.Equal("Sum(X, axis: 0)", Sum(X, 0).ToString());
        Assert.Equal((Shape.Vector(3), Shape.Vector(2)), (Sum(X, 0).Shape, Sum(X, 1).Shape));
        var badAxis = Assert.Throws<ArgumentOutOfRangeException>(() => Sum(X, 2));
        Assert.Equal("axis", badAxis.ParamName);
        var vector = Assert.Throws<ArgumentException>(() => Sum(x, 0));
        Assert.Contains("needs a matrix", vector.Message);
    }

    private static double[,] To2D(double[] v, int rows, int cols)
    {
        var m = new double[rows, cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                m[i, j] = v[i * cols + j];
        return m;
    }
}
