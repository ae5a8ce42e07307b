namespace DiffOpt.ML.Persistence;

/// <summary>Saves and loads the <see cref="QpModel"/> description of a trained network.</summary>
/// <remarks>
/// Binary format: byte kind, then by kind
/// 1 <see cref="EqualityConstrainedQpModel"/>: int EqualityCount; double QuadraticWeight.
/// 2 <see cref="TotalVariationQpModel"/>: int DifferenceInit; double InitialRegularization; bool LearnRegularization;
///   from format 0x00010002 on also bool LearnAdaptiveWeights; int AdaptiveWeightWindow;
///   from format 0x00010003 on also int DifferenceBandwidth (0 for none).
/// 3 <see cref="GenericQpModel"/>: int InequalityCount; int EqualityCount; double Epsilon.
/// 4 <see cref="RegisteredModuleModel"/>: string Name.
/// </remarks>
internal static class QpModelFormat
{
    private const byte EqualityKind = 1;
    private const byte TotalVariationKind = 2;
    private const byte GenericKind = 3;
    private const byte RegisteredKind = 4;

    /// <summary>The first format of the QP layer's file.</summary>
    public const uint InitialVersion = 0x00010001;

    /// <summary>The first format whose total-variation record carries the adaptive-weight fields.</summary>
    public const uint AdaptiveWeightsVersion = 0x00010002;

    /// <summary>The format written now (the total-variation record also carries the bandwidth of D).</summary>
    public const uint CurrentVersion = 0x00010003;

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
                writer.Write(m.DifferenceBandwidth ?? 0);
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

    /// <summary>Reads a model description written in format <paramref name="version"/> (see the remarks).</summary>
    public static QpModel Read(BinaryReader reader, string component, uint version)
    {
        var kind = reader.ReadByte();
        return kind switch
        {
            EqualityKind => new EqualityConstrainedQpModel
            {
                EqualityCount = FormatGuard.ReadCount(reader, component, "the equality count", 1),
                QuadraticWeight = FormatGuard.ReadFinite(reader, component, "the quadratic weight"),
            },
            TotalVariationKind => ReadTotalVariation(reader, component, version),
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

    private static TotalVariationQpModel ReadTotalVariation(BinaryReader reader, string component, uint version)
    {
        var model = new TotalVariationQpModel
        {
            DifferenceInit = (DifferenceOperatorInit)FormatGuard.ReadCount(reader, component, "the difference-operator init", 0, 1),
            InitialRegularization = FormatGuard.ReadFinite(reader, component, "the initial regularisation"),
            LearnRegularization = reader.ReadBoolean(),
        };
        if (version < AdaptiveWeightsVersion) return model;
        model = model with
        {
            LearnAdaptiveWeights = reader.ReadBoolean(),
            AdaptiveWeightWindow = FormatGuard.ReadCount(reader, component, "the adaptive-weight window", 1),
        };
        if (version < CurrentVersion) return model;
        int bandwidth = FormatGuard.ReadCount(reader, component, "the bandwidth of D", 0);
        return bandwidth == 0 ? model : model with { DifferenceBandwidth = bandwidth };
    }
}
