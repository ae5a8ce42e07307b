using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiffOpt.Samples;

/// <summary>Saving and checked loading of ML.NET model files (<c>mlContext.Model.Save/Load</c>).</summary>
public static class ModelFile
{
    /// <summary>Saves a model with the schema of its input rows, creating the folder.</summary>
    public static void Save(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, string path)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        OutputFolder.EnsureFor(path);
        mlContext.Model.Save(model, inputSchema, path);
    }

    /// <summary>The schema of data views made of <typeparamref name="TInput"/> rows.</summary>
    public static DataViewSchema InputSchema<TInput>(MLContext mlContext) where TInput : class
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return mlContext.Data.LoadFromEnumerable(Array.Empty<TInput>()).Schema;
    }

    /// <summary>Runs a model over rows and returns each row's float-vector column <paramref name="scoreColumn"/>.</summary>
    public static IReadOnlyList<float[]> Scores(ITransformer model, IDataView rows, string scoreColumn)
    {
        ArgumentNullException.ThrowIfNull(model);
        var scored = model.Transform(rows);
        return scored.GetColumn<float[]>(scored.Schema[scoreColumn]).ToList();
    }

    /// <summary>
    /// Loads a model and checks that, fed rows of <paramref name="inputSchema"/>, it writes a column
    /// <paramref name="scoreColumn"/> holding <paramref name="scoreSize"/> floats.
    /// </summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="path">The model file.</param>
    /// <param name="inputSchema">The schema of the sample's input rows.</param>
    /// <param name="scoreColumn">Name of the expected output column.</param>
    /// <param name="scoreSize">Number of floats expected in it.</param>
    /// <param name="kind">What the model should be, for messages ("Sudoku model").</param>
    /// <exception cref="SampleException">The file is missing, unreadable, or not such a model.</exception>
    public static ITransformer Load(MLContext mlContext, string path, DataViewSchema inputSchema, string scoreColumn, int scoreSize, string kind)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(inputSchema);
        if (!File.Exists(path)) throw new SampleException($"model file '{path}' not found");
        ITransformer model;
        try
        {
            model = mlContext.Model.Load(path, out _);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new SampleException($"cannot read model file '{path}' (corrupted or not an ML.NET model): {CommandRunner.OneLine(e.Message)}", e);
        }
        DataViewSchema output;
        try
        {
            output = model.GetOutputSchema(inputSchema);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            throw new SampleException($"model file '{path}' is not a {kind}: it does not accept this sample's input rows ({CommandRunner.OneLine(e.Message)})", e);
        }
        var score = output.GetColumnOrNull(scoreColumn);
        bool ok = score?.Type is VectorDataViewType vector && vector.ItemType == NumberDataViewType.Single && vector.Size == scoreSize;
        if (!ok)
            throw new SampleException($"model file '{path}' is not a {kind}: expected a '{scoreColumn}' column of {scoreSize} floats, found {(score is null ? "none" : score.Value.Type.ToString())}");
        return model;
    }
}
