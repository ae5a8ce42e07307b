using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace DiffOpt.ML.Persistence;

/// <summary>
/// Saves a <see cref="QpLayerTransformer"/> into an ML.NET model file and loads it back (registered with
/// ML.NET's component catalog in AssemblyAttributes.cs, so <c>mlContext.Model.Load</c> finds it in a fresh process).
/// </summary>
internal static class QpLayerTransformerFormat
{
    public const string LoaderSignature = "DiffOptQpLayerTransform"; // at most 24 ASCII characters
    public const string UserName = "DiffOpt QP Layer Transformer";
    private const string WeightsStreamName = "TorchWeights.bin";
    private const string Component = "DiffOpt QP layer";

    /// <summary>
    /// Format versions, bumped on any change of the layout below: 0x00010001 the initial format; 0x00010002 adds the
    /// adaptive-weight fields to the total-variation model record (files of both versions load).
    /// </summary>
    public static VersionInfo GetVersionInfo() =>
        FormatGuard.Version("DOQPLAYR", QpModelFormat.CurrentVersion, QpModelFormat.CurrentVersion, QpModelFormat.InitialVersion, LoaderSignature);

    // *** Binary format ***
    // Model.key: ChecksummedBlob section holding
    //   string: feature column name
    //   string: score column name
    //   int: feature size d (≥ 1)
    //   int: output size n (≥ 1)
    //   int: precision (0 = float64, 1 = float32)
    //   model description (QpModelFormat)
    //   solver options (QpSolverOptionsFormat)
    // stream "TorchWeights.bin": ChecksummedBlob of the TorchSharp state dictionary (Module.save)
    public static void Save(ModelSaveContext ctx, QpLayerTransformer transformer)
    {
        FormatGuard.StartSave(ctx, GetVersionInfo());
        var info = transformer.Info;
        ChecksummedBlob.WriteSection(ctx.Writer, writer =>
        {
            writer.Write(info.FeatureColumnName);
            writer.Write(info.ScoreColumnName);
            writer.Write(info.FeatureSize);
            writer.Write(info.OutputSize);
            writer.Write((int)info.Precision);
            QpModelFormat.Write(writer, info.Model);
            QpSolverOptionsFormat.Write(writer, info.SolverOptions);
        });

        using var weights = new MemoryStream();
        transformer.Network.save(weights);
        ctx.SaveBinaryStream(WeightsStreamName, writer => ChecksummedBlob.Write(writer, weights.ToArray()));
    }

    /// <summary>The loader ML.NET calls (through <see cref="SignatureLoadModel"/>).</summary>
    private static QpLayerTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        FormatGuard.StartLoad(env, ctx, GetVersionInfo(), Component);
        var info = ChecksummedBlob.ReadSection(ctx.Reader, Component, reader => new QpLayerModelInfo(
            FeatureColumnName: FormatGuard.ReadName(reader, Component),
            ScoreColumnName: FormatGuard.ReadName(reader, Component),
            FeatureSize: FormatGuard.ReadCount(reader, Component, "the feature size", 1),
            OutputSize: FormatGuard.ReadCount(reader, Component, "the output size", 1),
            Precision: (QpLayerPrecision)FormatGuard.ReadCount(reader, Component, "the precision", 0, 1),
            Model: QpModelFormat.Read(reader, Component, ctx.Header.ModelVerWritten),
            SolverOptions: QpSolverOptionsFormat.Read(reader, Component)));
        var model = info.Model;
        try
        {
            model.Validate(info.FeatureSize, info.OutputSize);
        }
        catch (ArgumentException e) when (model is not RegisteredModuleModel)
        {
            throw FormatGuard.Corrupt(Component, e.Message);
        }
        model.CheckAvailable(env);

        byte[]? weights = null;
        if (!ctx.TryLoadBinaryStream(WeightsStreamName, r => weights = ChecksummedBlob.Read(r, Component)))
            throw FormatGuard.Corrupt(Component, $"the stream {WeightsStreamName} is missing");
        var network = model.CreateNetwork(info.NetworkContext(seed: 0, env));
        try
        {
            using var stream = new MemoryStream(weights!);
            network.load(stream, strict: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or EndOfStreamException or IOException)
        {
            network.Dispose();
            throw new FormatException($"The {Component} in this model file has weights that do not fit its network: {e.Message}", e);
        }
        return new QpLayerTransformer(env, network, info);
    }

    /// <summary>The loader ML.NET's RowToRowMapperTransform calls for its mapper (through <see cref="SignatureLoadRowMapper"/>).</summary>
    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema) =>
        RowMapperAdapter.Over(Create(env, ctx), inputSchema);
}
