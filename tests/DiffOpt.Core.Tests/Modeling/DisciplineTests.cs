using DiffOpt.Layers;
using DiffOpt.Modeling;
using static DiffOpt.Modeling.Atoms;

namespace DiffOpt.Tests.Modeling;

/// <summary>DCP and DPP acceptance and rejection, and that refusals name the sub-expression (as written) and the rule.</summary>
public class DisciplineTests
{
    private readonly Variable _x = new(3, "x");
    private readonly Variable _z = new(3, "z");
    private readonly Parameter _p = new(3, "p");
    private readonly Parameter _q = new(3, "q");
    private readonly Parameter _A = new(2, 3, "A");

    [Fact]
    public void Accepts_ConvexCompositions()
    {
        Assert.True(Problem.Minimize(Norm2(_A * _x - 1) + Exp(Sum(_x)) + Pos(Norm1(_x) - 1), Sum(_x) == 1).IsDpp());
        Assert.True(Problem.Maximize(Sum(Log(_x)) + Sqrt(Minimum(_x[0], _x[1])), Norm2(_x) <= 2).IsDpp());
        Assert.True(Problem.Minimize(SumSquares(Multiply(_p, _x) - _q) + LogSumExp(_x), _x >= 0).IsDpp());
        Assert.True(Problem.Minimize(QuadForm(_x, new Parameter(3, 3, "P", psd: true)) + _p * _x).IsDpp());
    }

    [Fact]
    public void Prints_ExpressionsAsWritten()
    {
        Assert.Equal("Norm2(A * x - p[0..2]) + 2 * SumSquares(x)", (Norm2(_A * _x - _p[0..2]) + 2 * SumSquares(_x)).ToString());
        Assert.Equal("-(x - z) / 2", (-(_x - _z) / 2).ToString());
        Assert.Equal("Sum(x) <= 1", (Sum(_x) <= 1).ToString());
        Assert.Equal("x >= 0", (_x >= 0).ToString());
    }

    [Fact]
    public void RefusesConcaveInsideConvex_NamingTheSubExpression()
    {
        var problem = Problem.Minimize(Square(Sqrt(_x[0])));
        Assert.False(problem.IsDcp());
        var e = Assert.Throws<DcpException>(problem.CheckDcp);
        Assert.Equal("Square(Sqrt(x[0]))", e.SubExpression);
        Assert.Contains("'Sqrt(x[0])' is concave", e.Message);
        Assert.IsAssignableFrom<ArgumentException>(e);
    }

    [Fact]
    public void RefusesWrongObjectiveAndConstraintCurvature()
    {
        var e1 = Assert.Throws<DcpException>(Problem.Maximize(Norm2(_x)).CheckDcp);
        Assert.Contains("Maximize needs a concave objective", e1.Message);
        var e2 = Assert.Throws<DcpException>(Problem.Minimize(Sum(_x), Norm2(_x) >= 1).CheckDcp);
        Assert.Equal("Norm2(x) >= 1", e2.SubExpression);
        Assert.Contains("the larger side must be concave, but 'Norm2(x)' is convex", e2.Message);
        var e3 = Assert.Throws<DcpException>(Problem.Minimize(Sum(_x), Square(_x[0]) == 1).CheckDcp);
        Assert.Contains("an equality needs affine sides", e3.Message);
    }

    [Fact]
    public void RefusesProductOfVariables()
    {
        var e = Assert.Throws<DcpException>(Problem.Minimize(_x * _z).CheckDcp);
        Assert.Equal("x * z", e.SubExpression);
        Assert.Contains("both contain variables", e.Message);
    }

    [Fact]
    public void RefusesParameterTimesParameter_AsNotDpp_ButAcceptsItAsDcp()
    {
        var problem = Problem.Minimize(SumSquares(Multiply(_p, Multiply(_q, _x))));
        Assert.True(problem.IsDcp());
        Assert.False(problem.IsDpp());
        var e = Assert.Throws<DppException>(problem.CheckDpp);
        Assert.Equal("Multiply(p, Multiply(q, x))", e.SubExpression);
        Assert.Contains("parameter × parameter is not DPP", e.Message);
        var layer = Assert.Throws<DppException>(() => new ConvexLayer(problem, [_p, _q], [_x]));
        Assert.Contains("Multiply(p, Multiply(q, x))", layer.Message);
    }

    [Fact]
    public void RefusesNonAffineParameterFactorAndParameterDivisor()
    {
        var s = new Parameter("s", nonnegative: true);
        var e1 = Assert.Throws<DppException>(Problem.Minimize(Exp(s) * Sum(_x), _x >= 0).CheckDpp);
        Assert.Contains("'Exp(s)' is not affine in the parameters", e1.Message);
        var e2 = Assert.Throws<DppException>(Problem.Minimize(Sum(_x) / s, _x >= 0).CheckDpp);
        Assert.Contains("divisor 's' must be parameter-free", e2.Message);
    }

    [Fact]
    public void RefusesParametricQuadForm_OutsideTheObjective()
    {
        var P = new Parameter(3, 3, "P", psd: true);
        var problem = Problem.Minimize(Sum(_x), QuadForm(_x, P) <= 1);
        Assert.True(problem.IsDcp());
        var e = Assert.Throws<DppException>(problem.CheckDpp);
        Assert.Equal("QuadForm(x, P)", e.SubExpression);
        Assert.Contains("positively weighted term of a minimised objective", e.Message);
        Assert.Throws<DcpException>(Problem.Minimize(QuadForm(_x, new Parameter(3, 3, "Q"))).CheckDcp);
    }

    [Fact]
    public void RefusesConstantOnlyUnderDcp_WhenParametersAreNonlinear()
    {
        // DCP sees Exp(s) as a constant; DPP sees a convex function of s on the larger side of ≤.
        var s = new Parameter("s");
        var problem = Problem.Minimize(Sum(_x), _x[0] <= Exp(s));
        Assert.True(problem.IsDcp());
        var e = Assert.Throws<DppException>(problem.CheckDpp);
        Assert.Contains("the larger side must be concave, but 'Exp(s)' is convex", e.Message);
    }

    [Fact]
    public void RejectsMalformedShapes_WithArgumentExceptions()
    {
        Assert.Throws<ArgumentException>(() => _x + new Variable(2));
        Assert.Throws<ArgumentException>(() => _A * new Variable(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => _x[5]);
        Assert.Throws<ArgumentException>(() => Problem.Minimize(_x));
        Assert.Throws<NotSupportedException>(() => Power(_x, Math.PI));
    }

    [Fact]
    public void ShapeRefusals_NameTheExpressionsAndTheirShapes()
    {
        // The message is formatted only when the check fails (RequireMessage): it must still be complete then.
        var sum = Assert.Throws<ArgumentException>(() => _x - new Variable(2, "w"));
        Assert.Equal("Cannot subtract 'x' (3) and 'w' (2): shapes differ. (Parameter 'b')", sum.Message);
        var product = Assert.Throws<ArgumentException>(() => _A * (_x[0..2] + 1));
        Assert.Equal("Cannot multiply 'A' (2,3) by 'x[0..2] + 1' (2): inner dimensions differ. (Parameter 'b')", product.Message);
    }
}
