using DiffOpt.Cones;
using static TorchSharp.torch;

namespace DiffOpt.Tests.TestSupport;

/// <summary>The reference cone programs (<see cref="ConeReferenceCases"/>) as solver input: cone descriptions and float64 tensors.</summary>
internal static class ConeReferenceTensors
{
    /// <summary>The public cone description of a reference cone.</summary>
    public static Cone ToCone(ReferenceCone cone) => cone.Type switch
    {
        "zero" => new ZeroCone(cone.Size),
        "nonnegative" => new NonnegativeCone(cone.Size),
        "soc" => new SecondOrderCone(cone.Size),
        "psd" => new PsdCone(cone.Size),
        _ => throw new ArgumentException($"unknown reference cone type {cone.Type}", nameof(cone)),
    };

    /// <summary>The cones of a case.</summary>
    public static IReadOnlyList<Cone> Cones(ConeReferenceCase problem) => problem.Cones.Select(ToCone).ToArray();

    /// <summary>A (m, n), b (m), c (n), P (n, n) or null, unbatched float64.</summary>
    public static (Tensor A, Tensor B, Tensor C, Tensor? P) Data(ConeReferenceCase problem) =>
        (Matrix(problem.A), Vector(problem.B), Vector(problem.C), problem.P is null ? null : Matrix(problem.P));

    /// <summary>A (B, m, n), b (B, m), c (B, n) stacked from items that share their cones (no P).</summary>
    public static (Tensor A, Tensor B, Tensor C) Stack(IReadOnlyList<ConeReferenceCase> items) =>
        (stack(items.Select(i => Matrix(i.A)).ToArray()), stack(items.Select(i => Vector(i.B)).ToArray()),
            stack(items.Select(i => Vector(i.C)).ToArray()));

    /// <summary>A float64 vector.</summary>
    public static Tensor Vector(double[] values) => tensor(values, dtype: ScalarType.Float64);

    /// <summary>A float64 matrix.</summary>
    public static Tensor Matrix(double[,] values) =>
        tensor(values.Cast<double>().ToArray(), [values.GetLength(0), values.GetLength(1)], ScalarType.Float64);

    /// <summary>A row of a (B, k) tensor as doubles.</summary>
    public static double[] Row(Tensor batch, int item) => batch[item].to(ScalarType.Float64).cpu().data<double>().ToArray();
}
