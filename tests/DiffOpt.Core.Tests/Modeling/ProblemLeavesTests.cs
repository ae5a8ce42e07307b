using DiffOpt.Modeling;
using static DiffOpt.Modeling.Atoms;

namespace DiffOpt.Tests.Modeling;

/// <summary><see cref="Problem.Variables"/> and <see cref="Problem.Parameters"/>: distinct, in order of first occurrence, objective first.</summary>
public class ProblemLeavesTests
{
    [Fact]
    public void Leaves_AreDistinct_InOrderOfFirstOccurrence()
    {
        var (x, y, z, w) = (new Variable(2, "x"), new Variable(2, "y"), new Variable(2, "z"), new Variable("w"));
        var (p, q) = (new Parameter(2, "p"), new Parameter(2, "q"));
        var shared = Multiply(q, y) + x;   // met twice: its leaves count once, where first met
        var problem = Problem.Minimize(Sum(shared) + Norm2(shared - p) + q * x,
            z >= shared, w <= Sum(Multiply(p, z)), Sum(y) == 1);

        Assert.Equal(new[] { y, x, z, w }, problem.Variables);
        Assert.Equal(new[] { q, p }, problem.Parameters);
    }
}
