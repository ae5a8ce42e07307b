using DiffOpt.Qp;

namespace DiffOpt.ML.Persistence;

/// <summary>Saves and loads <see cref="QpSolverOptions"/>.</summary>
/// <remarks>
/// Binary format: double Tolerance; double RelativeTolerance; double Float32Tolerance;
/// double Float32RelativeTolerance; double InfeasibilityTolerance; int MaxIterations;
/// double InaccurateToleranceFactor; int EquilibrationIterations; bool ThrowOnFailure.
/// </remarks>
internal static class QpSolverOptionsFormat
{
    public static void Write(BinaryWriter writer, QpSolverOptions options)
    {
        writer.Write(options.Tolerance);
        writer.Write(options.RelativeTolerance);
        writer.Write(options.Float32Tolerance);
        writer.Write(options.Float32RelativeTolerance);
        writer.Write(options.InfeasibilityTolerance);
        writer.Write(options.MaxIterations);
        writer.Write(options.InaccurateToleranceFactor);
        writer.Write(options.EquilibrationIterations);
        writer.Write(options.ThrowOnFailure);
    }

    public static QpSolverOptions Read(BinaryReader reader, string component)
    {
        var options = new QpSolverOptions
        {
            Tolerance = reader.ReadDouble(),
            RelativeTolerance = reader.ReadDouble(),
            Float32Tolerance = reader.ReadDouble(),
            Float32RelativeTolerance = reader.ReadDouble(),
            InfeasibilityTolerance = reader.ReadDouble(),
            MaxIterations = reader.ReadInt32(),
            InaccurateToleranceFactor = reader.ReadDouble(),
            EquilibrationIterations = reader.ReadInt32(),
            ThrowOnFailure = reader.ReadBoolean(),
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw FormatGuard.Corrupt(component, $"solver option {e.ParamName} is out of range");
        }
        return options;
    }
}
