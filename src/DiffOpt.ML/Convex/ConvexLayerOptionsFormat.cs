using DiffOpt.Cones;
using DiffOpt.ML.Persistence;
using DiffOpt.Modeling;

namespace DiffOpt.ML.Convex;

/// <summary>Saves and loads <see cref="ConvexLayerOptions"/>.</summary>
/// <remarks>
/// Binary format: bool UseQpSolver; cone options (double Tolerance; double RelativeTolerance; double
/// Float32Tolerance; double Float32RelativeTolerance; int MaxIterations; double InfeasibilityTolerance; double
/// InaccurateToleranceFactor; bool ThrowOnFailure); QP options (QpSolverOptionsFormat).
/// </remarks>
internal static class ConvexLayerOptionsFormat
{
    public static void Write(BinaryWriter writer, ConvexLayerOptions options)
    {
        writer.Write(options.UseQpSolver);
        var c = options.Cone;
        writer.Write(c.Tolerance);
        writer.Write(c.RelativeTolerance);
        writer.Write(c.Float32Tolerance);
        writer.Write(c.Float32RelativeTolerance);
        writer.Write(c.MaxIterations);
        writer.Write(c.InfeasibilityTolerance);
        writer.Write(c.InaccurateToleranceFactor);
        writer.Write(c.ThrowOnFailure);
        QpSolverOptionsFormat.Write(writer, options.Qp);
    }

    public static ConvexLayerOptions Read(BinaryReader reader, string component)
    {
        bool useQp = reader.ReadBoolean();
        var cone = new ConeProgramSolverOptions
        {
            Tolerance = reader.ReadDouble(),
            RelativeTolerance = reader.ReadDouble(),
            Float32Tolerance = reader.ReadDouble(),
            Float32RelativeTolerance = reader.ReadDouble(),
            MaxIterations = reader.ReadInt32(),
            InfeasibilityTolerance = reader.ReadDouble(),
            InaccurateToleranceFactor = reader.ReadDouble(),
            ThrowOnFailure = reader.ReadBoolean(),
        };
        try
        {
            cone.Validate();
        }
        catch (ArgumentException e)
        {
            throw FormatGuard.Corrupt(component, $"cone solver option {e.ParamName} is out of range");
        }
        return new ConvexLayerOptions { UseQpSolver = useQp, Cone = cone, Qp = QpSolverOptionsFormat.Read(reader, component) };
    }
}
