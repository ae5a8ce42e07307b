using DiffOpt.ML;
using DiffOpt.ML.Convex;
using DiffOpt.ML.Persistence;
using DiffOpt.Modeling;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using static TorchSharp.torch;

[assembly: LoadableClass(typeof(ConvexLayerTransformer), typeof(ConvexLayerTransformerFormat), null, typeof(SignatureLoadModel),
    ConvexLayerTransformerFormat.UserName, ConvexLayerTransformerFormat.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(ConvexLayerTransformerFormat), null, typeof(SignatureLoadRowMapper),
    ConvexLayerTransformerFormat.UserName, ConvexLayerTransformerFormat.LoaderSignature)]

namespace DiffOpt.ML.Persistence;

/// <summary>Saves a <see cref="ConvexLayerTransformer"/> (problem, architecture and weights) into an ML.NET model file and loads it back.</summary>
internal static class ConvexLayerTransformerFormat
{
    public const string LoaderSignature = "DiffOptConvexLayer"; // at most 24 ASCII characters
    public const string UserName = "DiffOpt Convex Layer Transformer";
    private const string Component = "DiffOpt convex layer model";

    /// <summary>The initial format: the status column is text, the network predicts every parameter.</summary>
    public const uint TextStatusVersion = 0x00010001;

    /// <summary>The format written now: the status column is a key (<see cref="SolverStatusColumn"/>), parameters may be read from columns.</summary>
    public const uint KeyStatusVersion = 0x00010002;

    /// <summary>
    /// Format versions; bump them on any change of the layout below or of what it means. 0x00010002 adds the parameter
    /// columns, so builds reading only 0x00010001 cannot read it (they report a file from a newer DiffOpt.ML).
    /// </summary>
    public static VersionInfo GetVersionInfo() => FormatGuard.Version("DOCVXLYR", KeyStatusVersion, KeyStatusVersion, TextStatusVersion, LoaderSignature);

    // *** Binary format ***
    // Model.key: ChecksummedBlob section holding
    //   the problem (ProblemWriter, format version 1)
    //   int: predicted parameter count; int[]: their node indices (network output order)
    //   (0x00010002 and up) int: parameter column count; per column: string column name, int node index of its parameter
    //   int: decision variable node index
    //   string: feature column; string: score column
    //   int: feature size; int: hidden layer count; int[]: widths
    //   solver options (ConvexLayerOptionsFormat)
    //   int: weight tensor count; per tensor (the network's parameters in order): int length, double[length]
    public static void Save(ModelSaveContext ctx, ConvexLayerTransformer transformer)
    {
        FormatGuard.StartSave(ctx, GetVersionInfo());
        var shape = transformer.Network.Shape;
        ChecksummedBlob.WriteSection(ctx.Writer, writer =>
        {
            var nodes = ProblemWriter.Write(writer, shape.Problem);
            writer.Write(shape.Predicted.Count);
            foreach (var p in shape.Predicted)
                writer.Write(nodes[p]);
            writer.Write(shape.Fed.Count);
            foreach (var f in shape.Fed)
            {
                writer.Write(f.ColumnName);
                writer.Write(nodes[f.Parameter]);
            }
            writer.Write(nodes[shape.Decision]);
            writer.Write(transformer.FeatureColumnName);
            writer.Write(transformer.ScoreColumnName);
            writer.Write(shape.FeatureSize);
            writer.Write(shape.HiddenSizes.Count);
            foreach (var h in shape.HiddenSizes)
                writer.Write(h);
            ConvexLayerOptionsFormat.Write(writer, shape.SolverOptions);
            var weights = transformer.Network.parameters().ToArray();
            writer.Write(weights.Length);
            foreach (var w in weights)
            {
                var values = w.detach().cpu().to(ScalarType.Float64).data<double>().ToArray();
                writer.Write(values.Length);
                foreach (var v in values)
                    writer.Write(v);
            }
        });
    }

    /// <summary>The loader ML.NET's RowToRowMapperTransform calls for its mapper (through <see cref="SignatureLoadRowMapper"/>).</summary>
    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema) =>
        RowMapperAdapter.Over(Create(env, ctx), inputSchema);

    /// <summary>The loader ML.NET calls (through <see cref="SignatureLoadModel"/>).</summary>
    private static ConvexLayerTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        FormatGuard.StartLoad(env, ctx, GetVersionInfo(), Component);
        bool initial = ctx.Header.ModelVerWritten < KeyStatusVersion;
        return ChecksummedBlob.ReadSection(ctx.Reader, Component, reader => Read(env, reader, initial));
    }

    /// <summary>Reads the section; <paramref name="initial"/>: format 0x00010001 (text status, no parameter columns).</summary>
    private static ConvexLayerTransformer Read(IHostEnvironment env, BinaryReader reader, bool initial)
    {
        var (problem, nodes) = ProblemReader.Read(reader, Component);
        var predicted = Enumerable.Range(0, FormatGuard.ReadCount(reader, Component, "the predicted parameter count", 1, 1 << 16))
            .Select(_ => ProblemReader.Leaf<Parameter>(nodes, reader.ReadInt32(), Component, "a predicted parameter")).ToArray();
        var fed = new ParameterColumn[initial ? 0 : FormatGuard.ReadCount(reader, Component, "the parameter column count", 0, 1 << 16)];
        for (int i = 0; i < fed.Length; i++)
        {
            var name = FormatGuard.ReadName(reader, Component);
            fed[i] = new ParameterColumn(name, ProblemReader.Leaf<Parameter>(nodes, reader.ReadInt32(), Component, $"parameter column '{name}'"));
        }
        var decision = ProblemReader.Leaf<Variable>(nodes, reader.ReadInt32(), Component, "the decision");
        var feature = FormatGuard.ReadName(reader, Component);
        var score = FormatGuard.ReadName(reader, Component);
        int featureSize = FormatGuard.ReadCount(reader, Component, "the feature size", 1, 1 << 20);
        var hidden = Enumerable.Range(0, FormatGuard.ReadCount(reader, Component, "the hidden layer count", 0, 64))
            .Select(_ => FormatGuard.ReadCount(reader, Component, "a hidden width", 1, 1 << 16)).ToArray();
        var options = ConvexLayerOptionsFormat.Read(reader, Component);
        ConvexNetwork network;
        try
        {
            network = new ConvexNetwork(new ConvexNetworkShape(problem, predicted, decision, featureSize, hidden, options, fed), seed: 0);
        }
        catch (ArgumentException e)
        {
            throw FormatGuard.Corrupt(Component, e.Message);
        }
        var weights = network.parameters().ToArray();
        if (FormatGuard.ReadCount(reader, Component, "the weight tensor count", 0, 1 << 10) != weights.Length)
            throw FormatGuard.Corrupt(Component, "the number of weight tensors does not match the architecture");
        using (no_grad())
        {
            foreach (var w in weights)
            {
                int length = FormatGuard.ReadCount(reader, Component, "a weight tensor's length", 0, 1 << 26);
                if (length != w.numel())
                    throw FormatGuard.Corrupt(Component, $"a weight tensor holds {length} values where the architecture needs {w.numel()}");
                w.copy_(tensor(FormatGuard.ReadFiniteArray(reader, Component, "a weight", length), w.shape, ScalarType.Float64));
            }
        }
        network.eval();
        return new ConvexLayerTransformer(env, network, feature, score, textStatus: initial);
    }
}
