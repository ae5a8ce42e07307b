namespace DiffOpt.ML.Persistence;

/// <summary>Saves and loads the <see cref="QpModel"/> description of a trained network.</summary>
/// <remarks>
/// Binary format: byte kind, then by kind
/// 1 <see cref="EqualityConstrainedQpModel"/>: int EqualityCount; double QuadraticWeight.
/// 2 <see cref="TotalVariationQpModel"/>: int DifferenceInit; double InitialRegularization; bool LearnRegularization; bool LearnAdaptiveWeights; int AdaptiveWeightWindow.
/// 3 <see cref="GenericQpModel"/>: int InequalityCount; int EqualityCount; double Epsilon.
/// 4 <see cref="RegisteredModuleModel"/>: string Name.
/// </remarks>
internal static class QpModelFormat
{
    private const byte EqualityKind = 1;
    private const byte TotalVariationKind = 2;
    private const byte GenericKind = 3;
    private const byte RegisteredKind = 4;

    public static void Write(BinaryWriter writer, QpModel model)
    {
        switch (model)
        {
            case EqualityConstrainedQpModel m:
                writer.Write(EqualityKind);
                writer.Write(m.EqualityCount);
                writer.Write(m.QuadraticWeight);
                break;
            case TotalVariationQpModel m:
                writer.Write(TotalVariationKind);
                writer.Write((int)m.DifferenceInit);
                writer.Write(m.InitialRegularization);
                writer.Write(m.LearnRegularization);
                writer.Write(m.LearnAdaptiveWeights);
                writer.Write(m.AdaptiveWeightWindow);
                break;
            case GenericQpModel m:
                writer.Write(GenericKind);
                writer.Write(m.InequalityCount);
                writer.Write(m.EqualityCount);
                writer.Write(m.Epsilon);
                break;
            case RegisteredModuleModel m:
                writer.Write(RegisteredKind);
                writer.Write(m.Name);
                break;
            default:
                throw new InvalidOperationException($"No binary format for model type {model.GetType().Name}.");
        }
    }

    public static QpModel Read(BinaryReader reader, string component)
    {
        var kind = reader.ReadByte();
        return kind switch
        {
            EqualityKind => new EqualityConstrainedQpModel
            {
                EqualityCount = FormatGuard.ReadCount(reader, component, "the equality count", 1),
                QuadraticWeight = FormatGuard.ReadFinite(reader, component, "the quadratic weight"),
            },
            TotalVariationKind => new TotalVariationQpModel
            {
                DifferenceInit = (DifferenceOperatorInit)FormatGuard.ReadCount(reader, component, "the difference-operator init", 0, 1),
                InitialRegularization = FormatGuard.ReadFinite(reader, component, "the initial regularisation"),
                LearnRegularization = reader.ReadBoolean(),
                LearnAdaptiveWeights = reader.ReadBoolean(),
                AdaptiveWeightWindow = FormatGuard.ReadCount(reader, component, "the adaptive-weight window", 1),
            },
            GenericKind => new GenericQpModel
            {
                InequalityCount = FormatGuard.ReadCount(reader, component, "the inequality count", 0),
                EqualityCount = FormatGuard.ReadCount(reader, component, "the equality count", 0),
                Epsilon = FormatGuard.ReadFinite(reader, component, "epsilon"),
            },
            RegisteredKind => new RegisteredModuleModel(FormatGuard.ReadName(reader, component)),
            _ => throw FormatGuard.Corrupt(component, $"unknown model kind {kind}"),
        };
    }
}
