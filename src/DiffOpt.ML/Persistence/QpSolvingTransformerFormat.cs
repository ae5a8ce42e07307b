using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace DiffOpt.ML.Persistence;

/// <summary>
/// Saves a <see cref="QpSolvingTransformer"/> into an ML.NET model file and loads it back (registered with
/// ML.NET's component catalog in AssemblyAttributes.cs).
/// </summary>
internal static class QpSolvingTransformerFormat
{
    public const string LoaderSignature = "DiffOptQpSolveTransform"; // at most 24 ASCII characters
    public const string UserName = "DiffOpt QP Solving Transformer";
    private const string Component = "DiffOpt QP solving transformer";

    /// <summary>The initial format: the status column is text.</summary>
    public const uint TextStatusVersion = 0x00010001;

    /// <summary>The format written now: the same layout, the status column is a key (<see cref="SolverStatusColumn"/>).</summary>
    public const uint KeyStatusVersion = 0x00010002;

    /// <summary>
    /// Format versions; bump them on any change of the layout below or of what it means. 0x00010002 keeps the layout of
    /// 0x00010001, so DiffOpt.ML builds reading only 0x00010001 still read it (as a text status column).
    /// </summary>
    public static VersionInfo GetVersionInfo() => FormatGuard.Version("DOQPSOLV", KeyStatusVersion, TextStatusVersion, TextStatusVersion, LoaderSignature);

    // *** Binary format ***
    // Model.key: ChecksummedBlob section holding
    //   string: output (solution) column name
    //   string: linear-term column name
    //   string: status column name
    //   string: inequality-bound column name, or "" for none
    //   string: equality-bound column name, or "" for none
    //   int: n (≥ 1); int: m (≥ 0); int: k (≥ 0)
    //   double[n·n]: Q, row-major
    //   double[m·n]: G, row-major
    //   bool: h is fixed, then double[m]: h
    //   double[k·n]: A, row-major
    //   bool: b is fixed, then double[k]: b
    //   solver options (QpSolverOptionsFormat)
    public static void Save(ModelSaveContext ctx, QpSolvingTransformer transformer)
    {
        FormatGuard.StartSave(ctx, GetVersionInfo());
        var s = transformer.Settings;
        ChecksummedBlob.WriteSection(ctx.Writer, writer =>
        {
            writer.Write(s.OutputColumnName);
            writer.Write(s.LinearTermColumnName);
            writer.Write(s.StatusColumnName);
            writer.Write(s.InequalityBoundColumnName ?? "");
            writer.Write(s.EqualityBoundColumnName ?? "");
            writer.Write(s.VariableCount);
            writer.Write(s.InequalityCount);
            writer.Write(s.EqualityCount);
            WriteArray(writer, s.Q);
            WriteArray(writer, s.G);
            WriteOptional(writer, s.H);
            WriteArray(writer, s.A);
            WriteOptional(writer, s.B);
            QpSolverOptionsFormat.Write(writer, s.SolverOptions);
        });
    }

    /// <summary>The loader ML.NET calls (through <see cref="SignatureLoadModel"/>).</summary>
    private static QpSolvingTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        FormatGuard.StartLoad(env, ctx, GetVersionInfo(), Component);
        var options = ChecksummedBlob.ReadSection(ctx.Reader, Component, ReadOptions);
        try
        {
            var settings = QpSolvingSettings.FromOptions(options);
            return new QpSolvingTransformer(env, ctx.Header.ModelVerWritten < KeyStatusVersion ? settings with { TextStatus = true } : settings);
        }
        catch (ArgumentException e)
        {
            throw FormatGuard.Corrupt(Component, e.Message);
        }
    }

    /// <summary>The loader ML.NET's RowToRowMapperTransform calls for its mapper (through <see cref="SignatureLoadRowMapper"/>).</summary>
    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema) =>
        RowMapperAdapter.Over(Create(env, ctx), inputSchema);

    private static QpSolvingEstimator.Options ReadOptions(BinaryReader reader)
    {
        var output = FormatGuard.ReadName(reader, Component);
        var linearTerm = FormatGuard.ReadName(reader, Component);
        var status = FormatGuard.ReadName(reader, Component);
        var hColumn = FormatGuard.ReadOptionalName(reader);
        var bColumn = FormatGuard.ReadOptionalName(reader);
        var n = FormatGuard.ReadCount(reader, Component, "n", 1, 1 << 14);
        var m = FormatGuard.ReadCount(reader, Component, "m", 0, 1 << 14);
        var k = FormatGuard.ReadCount(reader, Component, "k", 0, 1 << 14);
        var q = FormatGuard.ReadFiniteArray(reader, Component, "Q", n * n);
        var g = FormatGuard.ReadFiniteArray(reader, Component, "G", m * n);
        var h = ReadOptional(reader, m, "h");
        var a = FormatGuard.ReadFiniteArray(reader, Component, "A", k * n);
        var b = ReadOptional(reader, k, "b");
        return new QpSolvingEstimator.Options
        {
            OutputColumnName = output,
            LinearTermColumnName = linearTerm,
            StatusColumnName = status,
            QuadraticTerm = Unflatten(q, n, n),
            InequalityMatrix = m == 0 ? null : Unflatten(g, m, n),
            InequalityBound = m == 0 ? null : h,
            InequalityBoundColumnName = m == 0 ? null : hColumn,
            EqualityMatrix = k == 0 ? null : Unflatten(a, k, n),
            EqualityBound = k == 0 ? null : b,
            EqualityBoundColumnName = k == 0 ? null : bColumn,
            SolverOptions = QpSolverOptionsFormat.Read(reader, Component),
        };
    }

    private static void WriteArray(BinaryWriter writer, double[] values)
    {
        foreach (var value in values)
            writer.Write(value);
    }

    private static void WriteOptional(BinaryWriter writer, double[]? values)
    {
        writer.Write(values is not null);
        if (values is not null)
            WriteArray(writer, values);
    }

    private static double[]? ReadOptional(BinaryReader reader, int count, string what) =>
        reader.ReadBoolean() ? FormatGuard.ReadFiniteArray(reader, Component, what, count) : null;

    private static double[,] Unflatten(double[] values, int rows, int columns)
    {
        var matrix = new double[rows, columns];
        Buffer.BlockCopy(values, 0, matrix, 0, values.Length * sizeof(double));
        return matrix;
    }
}
