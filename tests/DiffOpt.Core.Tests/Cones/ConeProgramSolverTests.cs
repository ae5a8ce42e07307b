using DiffOpt.Cones;
using DiffOpt.Qp;
using DiffOpt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones;

/// <summary>
/// <see cref="ConeProgramSolver"/> on programs with known solutions: planted programs of every cone type
/// (<see cref="PlantedConePrograms"/>), closed-form exponential-cone programs, float32 data and a shared A.
/// </summary>
public class ConeProgramSolverTests(ITestOutputHelper output)
{
    private static readonly ConeProgramSolverOptions Tight = new() { Tolerance = 1e-11, RelativeTolerance = 1e-11 };

    public static TheoryData<string> ConeFamilies => ["soc", "psd"];

    /// <summary>The cones of a planted family.</summary>
    private static Cone[] Family(string name) => name switch
    {
        "soc" => [new ZeroCone(1), new NonnegativeCone(3), new SecondOrderCone(3), new SecondOrderCone(4)],
        "psd" => [new NonnegativeCone(2), new PsdCone(2), new PsdCone(3)],
        "exp" => [new ZeroCone(1), new NonnegativeCone(2), new ExponentialCone(3)],
        _ => [new ZeroCone(1), new NonnegativeCone(2), new SecondOrderCone(3), new PsdCone(2), new ExponentialCone(2)],
    };

    [Theory]
    [MemberData(nameof(ConeFamilies))]
    public void Solve_RecoversThePlantedSolution_ForEveryConeFamily(string family)
    {
        // n > m keeps the active constraints independent, so that y is unique too.
        var cones = Family(family);
        var point = PlantedConePrograms.Plant(cones, variables: cones.Sum(c => c.Rows) + 1, batch: 3, seed: 11, diagonal: 2);
        var solution = new ConeProgramSolver(Tight).Solve(point.A, point.B, point.C, point.Cones, point.P);
        for (int i = 0; i < point.Batch; i++)
        {
            double ex = RelativeError(solution.X[i], point.X[i]), ey = RelativeError(solution.Y[i], point.Y[i]);
            output.WriteLine($"{family}[{i}]: {solution.Status[i]} in {solution.Iterations[i]}; x error {ex:E2}, y error {ey:E2}");
            Assert.True(solution.Status[i].HasSolution(), $"item {i}: {solution.Status[i]}");
            Assert.True(ex <= 1e-5 && ey <= 1e-5, $"item {i}: x off by {ex:E2}, y by {ey:E2}");
        }
        Assert.True(new ConeProgramSolver().Solve(point.A, point.B, point.C, point.Cones, point.P).AllSolved);
    }

    [Fact]
    public void Solve_SolvesFloat32Data_ToTheFloat32Tolerances()
    {
        var point = PlantedConePrograms.Plant(Family("psd"), variables: 6, batch: 3, seed: 5, diagonal: 2).To(ScalarType.Float32);
        var solution = new ConeProgramSolver().Solve(point.A, point.B, point.C, point.Cones, point.P);
        Assert.Equal(ScalarType.Float32, solution.X.dtype);
        Assert.True(solution.AllSolved, string.Join(", ", solution.Status));
        for (int i = 0; i < point.Batch; i++)
            Assert.True(RelativeError(solution.X[i], point.X[i]) <= 1e-3, $"item {i}: {RelativeError(solution.X[i], point.X[i]):E2}");
    }

    [Fact]
    public void Solve_GivesEachItemItsOwnSolution_WhenAIsShared()
    {
        var point = PlantedConePrograms.Plant(Family("soc"), variables: 6, batch: 3, seed: 3, sharedA: true, sharedP: true, diagonal: 2);
        Assert.Equal(2, point.A.dim());
        var solution = new ConeProgramSolver(Tight).Solve(point.A, point.B, point.C, point.Cones, point.P);
        Assert.Equal(new long[] { 3, 6 }, solution.X.shape);
        for (int i = 0; i < point.Batch; i++)
            Assert.True(RelativeError(solution.X[i], point.X[i]) <= 1e-5);
    }

    [Fact]
    public void Solve_ReturnsUnbatchedDataAsABatchOfOne_WithVectorsGivenWithoutABatchDimension()
    {
        var point = PlantedConePrograms.Plant(Family("soc"), variables: 6, batch: 1, seed: 4, diagonal: 2);
        var solution = new ConeProgramSolver(Tight).Solve(point.A[0], point.B[0], point.C[0], point.Cones, point.P![0]);
        Assert.Equal(new long[] { 1, 6 }, solution.X.shape);
        Assert.True(RelativeError(solution.X[0], point.X[0]) <= 1e-5);
    }

    [Fact]
    public void Solve_StopsAtTheIterationLimit_WithStatusMaxIterations()
    {
        var point = PlantedConePrograms.Plant(Family("psd"), variables: 6, batch: 2, seed: 2, diagonal: 2);
        var solution = new ConeProgramSolver(new ConeProgramSolverOptions { MaxIterations = 2 })
            .Solve(point.A, point.B, point.C, point.Cones, point.P);
        Assert.All(solution.Status, s => Assert.Equal(QpStatus.MaxIterations, s));
        Assert.All(solution.Iterations, k => Assert.Equal(2, k));
        Assert.Throws<QpSolveException>(() => new ConeProgramSolver(new ConeProgramSolverOptions { MaxIterations = 2, ThrowOnFailure = true })
            .Solve(point.A, point.B, point.C, point.Cones, point.P));
    }

    private static double RelativeError(Tensor actual, Tensor expected) =>
        (actual.to(ScalarType.Float64) - expected.to(ScalarType.Float64)).abs().max().item<double>()
        / (1 + expected.to(ScalarType.Float64).abs().max().item<double>());

    private static void AssertClose(Tensor expected, Tensor actual, double tolerance)
    {
        double error = (expected - actual).abs().max().item<double>();
        Assert.True(error <= tolerance, $"off by {error:E2}: expected {string.Join(", ", expected.data<double>().ToArray())}, got {string.Join(", ", actual.data<double>().ToArray())}");
    }
}
