using DiffOpt.ML;
using DiffOpt.ML.Convex;
using DiffOpt.ML.Persistence;
using DiffOpt.Modeling;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

[assembly: LoadableClass(typeof(ConvexSolvingTransformer), typeof(ConvexSolvingTransformerFormat), null, typeof(SignatureLoadModel),
    ConvexSolvingTransformerFormat.UserName, ConvexSolvingTransformerFormat.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(ConvexSolvingTransformerFormat), null, typeof(SignatureLoadRowMapper),
    ConvexSolvingTransformerFormat.UserName, ConvexSolvingTransformerFormat.LoaderSignature)]

namespace DiffOpt.ML.Persistence;

/// <summary>
/// Saves a <see cref="ConvexSolvingTransformer"/> (its problem included) into an ML.NET model file and loads it
/// back in any process: nothing has to be registered, the problem is rebuilt from the file.
/// </summary>
internal static class ConvexSolvingTransformerFormat
{
    public const string LoaderSignature = "DiffOptConvexSolve"; // at most 24 ASCII characters
    public const string UserName = "DiffOpt Convex Solving Transformer";
    private const string Component = "DiffOpt convex solving transformer";

    /// <summary>The initial format: the status column is text.</summary>
    public const uint TextStatusVersion = 0x00010001;

    /// <summary>The format written now: the same layout, the status column is a key (<see cref="SolverStatusColumn"/>).</summary>
    public const uint KeyStatusVersion = 0x00010002;

    /// <summary>
    /// Format versions; bump them on any change of the layout below or of what it means. 0x00010002 keeps the layout of
    /// 0x00010001, so DiffOpt.ML builds reading only 0x00010001 still read it (as a text status column).
    /// </summary>
    public static VersionInfo GetVersionInfo() => FormatGuard.Version("DOCVXSLV", KeyStatusVersion, TextStatusVersion, TextStatusVersion, LoaderSignature);

    // *** Binary format ***
    // Model.key: ChecksummedBlob section holding
    //   the problem (ProblemWriter, format version 1)
    //   int: input count; per input: string column name, int node index of its parameter
    //   int: output count; per output: string column name, int node index of its variable
    //   string: status column name
    //   solver options (ConvexLayerOptionsFormat)
    public static void Save(ModelSaveContext ctx, ConvexSolvingTransformer transformer)
    {
        FormatGuard.StartSave(ctx, GetVersionInfo());
        var s = transformer.Settings;
        ChecksummedBlob.WriteSection(ctx.Writer, writer =>
        {
            var nodes = ProblemWriter.Write(writer, s.Problem);
            writer.Write(s.Inputs.Count);
            foreach (var input in s.Inputs)
            {
                writer.Write(input.ColumnName);
                writer.Write(nodes[input.Parameter]);
            }
            writer.Write(s.Outputs.Count);
            foreach (var output in s.Outputs)
            {
                writer.Write(output.ColumnName);
                writer.Write(nodes[output.Variable]);
            }
            writer.Write(s.StatusColumnName);
            ConvexLayerOptionsFormat.Write(writer, s.SolverOptions);
        });
    }

    /// <summary>The loader ML.NET's RowToRowMapperTransform calls for its mapper (through <see cref="SignatureLoadRowMapper"/>).</summary>
    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema) =>
        RowMapperAdapter.Over(Create(env, ctx), inputSchema);

    /// <summary>The loader ML.NET calls (through <see cref="SignatureLoadModel"/>).</summary>
    private static ConvexSolvingTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        FormatGuard.StartLoad(env, ctx, GetVersionInfo(), Component);
        var options = ChecksummedBlob.ReadSection(ctx.Reader, Component, ReadOptions);
        try
        {
            var settings = ConvexSolvingSettings.FromOptions(options);
            return new ConvexSolvingTransformer(env, ctx.Header.ModelVerWritten < KeyStatusVersion ? settings.WithTextStatus() : settings);
        }
        catch (ArgumentException e) // includes DcpException/DppException
        {
            throw FormatGuard.Corrupt(Component, e.Message);
        }
    }

    private static ConvexSolvingEstimator.Options ReadOptions(BinaryReader reader)
    {
        var (problem, nodes) = ProblemReader.Read(reader, Component);
        var inputs = new ParameterColumn[FormatGuard.ReadCount(reader, Component, "the input count", 1, 1 << 16)];
        for (int i = 0; i < inputs.Length; i++)
        {
            var name = FormatGuard.ReadName(reader, Component);
            inputs[i] = new ParameterColumn(name, ProblemReader.Leaf<Parameter>(nodes, reader.ReadInt32(), Component, $"input column '{name}'"));
        }
        var outputs = new VariableColumn[FormatGuard.ReadCount(reader, Component, "the output count", 1, 1 << 16)];
        for (int i = 0; i < outputs.Length; i++)
        {
            var name = FormatGuard.ReadName(reader, Component);
            outputs[i] = new VariableColumn(name, ProblemReader.Leaf<Variable>(nodes, reader.ReadInt32(), Component, $"output column '{name}'"));
        }
        return new ConvexSolvingEstimator.Options
        {
            Problem = problem,
            Inputs = inputs,
            Outputs = outputs,
            StatusColumnName = FormatGuard.ReadName(reader, Component),
            SolverOptions = ConvexLayerOptionsFormat.Read(reader, Component),
        };
    }
}
