using DiffOpt.Cones;
using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones;

/// <summary>Bad input to <see cref="ConeProgramSolver"/> and <see cref="ConeProgramFunction"/>: an ArgumentException naming the argument.</summary>
public class ConeProgramSolverArgumentTests
{
    private static readonly Cone[] Cones = [new ZeroCone(1), new NonnegativeCone(2), new SecondOrderCone(3)];

    private static Tensor A => ones(6, 4, dtype: ScalarType.Float64);

    private static Tensor B => ones(6, dtype: ScalarType.Float64);

    private static Tensor C => ones(4, dtype: ScalarType.Float64);

    private static Tensor P => eye(4, dtype: ScalarType.Float64);

    public static TheoryData<string, string, Func<ConeProgramSolver, object>> BadInputs => new()
    {
        { "cones do not cover A's rows", "cones", s => s.Solve(A, B, C, [new ZeroCone(1), new NonnegativeCone(2)], P) },
        { "a null cone", "cones", s => s.Solve(A, B, C, [new ZeroCone(1), null!, new SecondOrderCone(3)], P) },
        { "no cone list", "cones", s => s.Solve(A, B, C, null!, P) },
        { "A missing", "A", s => s.Solve(null!, B, C, Cones, P) },
        { "A of rank 1", "A", s => s.Solve(ones(6, dtype: ScalarType.Float64), B, C, Cones, P) },
        { "b of the wrong length", "b", s => s.Solve(A, ones(5, dtype: ScalarType.Float64), C, Cones, P) },
        { "c of the wrong length", "c", s => s.Solve(A, B, ones(3, dtype: ScalarType.Float64), Cones, P) },
        { "P of the wrong shape", "P", s => s.Solve(A, B, C, Cones, eye(3, dtype: ScalarType.Float64)) },
        { "batch sizes differ", "b", s => s.Solve(ones(2, 6, 4, dtype: ScalarType.Float64), ones(3, 6, dtype: ScalarType.Float64), C, Cones, P) },
        { "c in float32", "c", s => s.Solve(A, B, ones(4, dtype: ScalarType.Float32), Cones, P) },
        { "A in int64", "A", s => s.Solve(ones(6, 4, dtype: ScalarType.Int64), B, C, Cones, P) },
        { "NaN in A", "A", s => s.Solve(ScalarSafeOperations.With(double.NaN, value => A.index_put_(value, 0, 0)), B, C, Cones, P) },
        { "Inf in b", "b", s => s.Solve(A, ScalarSafeOperations.With(double.PositiveInfinity, value => B.index_put_(value, 2)), C, Cones, P) },
        // The finiteness checks read CPU data on the host: float32, a transposed (non-contiguous) A, the last entry of a batch.
        { "-Inf in a float32 A", "A", s => s.Solve(ScalarSafeOperations.With(double.NegativeInfinity, value => ones(6, 4).index_put_(value, 3, 1)),
            ones(6), ones(4), Cones) },
        { "NaN in a transposed A", "A", s => s.Solve(ScalarSafeOperations.With(double.NaN, value => ones(4, 6, dtype: ScalarType.Float64).index_put_(value, 2, 5)).t(),
            B, C, Cones, P) },
        { "Inf in a batch's last entry of A", "A", s => s.Solve(ScalarSafeOperations.With(double.PositiveInfinity,
            value => ones(3, 6, 4, dtype: ScalarType.Float64).index_put_(value, 2, 5, 3)), B, C, Cones, P) },
        { "NaN in P", "P", s => s.Solve(A, B, C, Cones, ScalarSafeOperations.With(double.NaN, value => P.index_put_(value, 1, 1))) },
        { "P not symmetric", "P", s => s.Solve(A, B, C, Cones, P.index_put_(ScalarSafeOperations.Half, 0, 1)) },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Solve_ThrowsArgumentExceptionNamingTheArgument_OnBadInput(string what, string argument, Func<ConeProgramSolver, object> solve)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => solve(new ConeProgramSolver()));
        Assert.True(error.ParamName == argument, $"{what}: ParamName {error.ParamName}, message {error.Message}");
    }

    [Fact]
    public void Apply_ThrowsArgumentExceptionNamingTheArgument_BeforeSolving()
    {
        var error = Assert.Throws<ArgumentException>(() => ConeProgramFunction.Apply(A, ones(5, dtype: ScalarType.Float64), C, Cones, P));
        Assert.Equal("b", error.ParamName);
    }

    [Fact]
    public void SolveWithDerivative_ThrowsArgumentExceptionNamingTheArgument_OnBadInput()
    {
        var error = Assert.Throws<ArgumentException>(() => new ConeProgramSolver().SolveWithDerivative(A, B, C, Cones, P.index_put_(ScalarSafeOperations.Half, 0, 1)));
        Assert.Equal("P", error.ParamName);
    }

    [Theory]
    [InlineData(nameof(ConeProgramSolverOptions.Tolerance))]
    [InlineData(nameof(ConeProgramSolverOptions.RelativeTolerance))]
    [InlineData(nameof(ConeProgramSolverOptions.Float32Tolerance))]
    [InlineData(nameof(ConeProgramSolverOptions.Float32RelativeTolerance))]
    [InlineData(nameof(ConeProgramSolverOptions.InfeasibilityTolerance))]
    [InlineData(nameof(ConeProgramSolverOptions.MaxIterations))]
    [InlineData(nameof(ConeProgramSolverOptions.InaccurateToleranceFactor))]
    public void Constructor_RejectsOptionsOutOfRange_NamingTheSetting(string setting)
    {
        var options = setting switch
        {
            nameof(ConeProgramSolverOptions.Tolerance) => new ConeProgramSolverOptions { Tolerance = 0 },
            nameof(ConeProgramSolverOptions.RelativeTolerance) => new ConeProgramSolverOptions { RelativeTolerance = -1 },
            nameof(ConeProgramSolverOptions.Float32Tolerance) => new ConeProgramSolverOptions { Float32Tolerance = double.NaN },
            nameof(ConeProgramSolverOptions.Float32RelativeTolerance) => new ConeProgramSolverOptions { Float32RelativeTolerance = double.PositiveInfinity },
            nameof(ConeProgramSolverOptions.InfeasibilityTolerance) => new ConeProgramSolverOptions { InfeasibilityTolerance = 0 },
            nameof(ConeProgramSolverOptions.MaxIterations) => new ConeProgramSolverOptions { MaxIterations = 0 },
            _ => new ConeProgramSolverOptions { InaccurateToleranceFactor = 0.5 },
        };
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ConeProgramSolver(options));
        Assert.Equal(setting, error.ParamName);
    }

    [Fact]
    public void Options_HaveTheDocumentedDefaults()
    {
        var d = ConeProgramSolverOptions.Default;
        Assert.Equal((1e-8, 1e-8, 1e-5, 1e-5, 100, 1e-8, false),
            (d.Tolerance, d.RelativeTolerance, d.Float32Tolerance, d.Float32RelativeTolerance, d.MaxIterations, d.InfeasibilityTolerance, d.ThrowOnFailure));
    }
}
