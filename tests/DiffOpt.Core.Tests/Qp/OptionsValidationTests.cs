using DiffOpt.Layers;
using DiffOpt.Qp;
using DiffOpt.Tests.TestSupport;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Qp;

/// <summary>Out-of-range options are rejected with an <see cref="ArgumentOutOfRangeException"/> naming the option, wherever they enter.</summary>
public class OptionsValidationTests
{
    private static readonly Dictionary<string, QpSolverOptions> Invalid = new()
    {
        ["Tolerance = 0"] = new() { Tolerance = 0 },
        ["Tolerance = -1"] = new() { Tolerance = -1 },
        ["Tolerance = NaN"] = new() { Tolerance = double.NaN },
        ["Tolerance = ∞"] = new() { Tolerance = double.PositiveInfinity },
        ["RelativeTolerance = -1e-9"] = new() { RelativeTolerance = -1e-9 },
        ["RelativeTolerance = NaN"] = new() { RelativeTolerance = double.NaN },
        ["RelativeTolerance = ∞"] = new() { RelativeTolerance = double.PositiveInfinity },
        ["Float32Tolerance = 0"] = new() { Float32Tolerance = 0 },
        ["Float32RelativeTolerance = -1"] = new() { Float32RelativeTolerance = -1 },
        ["InfeasibilityTolerance = 0"] = new() { InfeasibilityTolerance = 0 },
        ["InfeasibilityTolerance = NaN"] = new() { InfeasibilityTolerance = double.NaN },
        ["MaxIterations = 0"] = new() { MaxIterations = 0 },
        ["InaccurateToleranceFactor = 0.5"] = new() { InaccurateToleranceFactor = 0.5 },
        ["InaccurateToleranceFactor = NaN"] = new() { InaccurateToleranceFactor = double.NaN },
        ["InaccurateToleranceFactor = ∞"] = new() { InaccurateToleranceFactor = double.PositiveInfinity },
        ["EquilibrationIterations = -1"] = new() { EquilibrationIterations = -1 },
        ["ConvexityTolerance = -1e-5"] = new() { ConvexityTolerance = -1e-5 },
        ["ConvexityTolerance = NaN"] = new() { ConvexityTolerance = double.NaN },
    };

    public static TheoryData<string> InvalidCases => new(Invalid.Keys);

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void Constructors_And_Apply_ThrowArgumentOutOfRange_ForInvalidOption(string name)
    {
        var options = Invalid[name];
        string option = name[..name.IndexOf(' ')];
        var qp = QpTensors.Single(new ProblemGenerator(601).Feasible(3, 2, 1).Problem);

        var errors = new ArgumentOutOfRangeException[]
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => options.Validate()),
            Assert.Throws<ArgumentOutOfRangeException>(() => new QpSolver(options)),
            Assert.Throws<ArgumentOutOfRangeException>(() => new QpLayer(options)),
            Assert.Throws<ArgumentOutOfRangeException>(() => qp.Apply(options)),
        };

        foreach (var error in errors)
        {
            Assert.Equal(option, error.ParamName);
            Assert.Contains(option, error.Message);
        }
    }

    [Fact]
    public void Solve_StillSolves_WithBoundaryOptionValues()
    {
        // RelativeTolerance = 0 (absolute test only), EquilibrationIterations = 0 (no scaling), MaxIterations = 1 (status, not exception).
        var generated = new ProblemGenerator(602).Feasible(6, 8, 2);
        var args = QpTensors.Single(generated.Problem);
        var exact = ReferenceQpSolver.Solve(generated.Problem, generated.Z0);

        foreach (var options in new[] { new QpSolverOptions { RelativeTolerance = 0 }, new QpSolverOptions { EquilibrationIterations = 0 } })
        {
            var solution = args.Solve(options);
            StatusHonesty.AssertHonest(args, solution, options);
            VectorAssert.Close(exact.X, SolutionItem.Of(solution, 0).X, 1e-6, "solution with boundary options");
        }
        var capped = new QpSolverOptions { MaxIterations = 1 };
        var early = args.Solve(capped);
        Assert.Equal(1, early.Iterations[0]);
        Assert.NotEqual(SolverStatus.Solved, early.Status[0]);
        StatusHonesty.AssertHonest(args, early, capped);
    }

    [Fact]
    public void Default_IsValid_AndMatchesDocumentedValues()
    {
        var d = QpSolverOptions.Default;
        d.Validate();
        Assert.Equal((1e-8, 1e-9, 1e-5, 1e-5, 1e-6, 200, 1e3, 10, false),
            (d.Tolerance, d.RelativeTolerance, d.Float32Tolerance, d.Float32RelativeTolerance, d.InfeasibilityTolerance,
             d.MaxIterations, d.InaccurateToleranceFactor, d.EquilibrationIterations, d.ThrowOnFailure));
    }
}
