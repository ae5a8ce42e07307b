using DiffOpt.ML.RoundTripHelper;
using DiffOpt.ML.Tests.Infrastructure;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiffOpt.ML.Tests.Convex;

/// <summary>
/// mlContext.Model.Save/Load of a pipeline ending in the convex solve transform: the problem travels inside the
/// file, a fresh process with nothing registered reproduces the outputs bit for bit, and damaged, truncated and
/// future-version files fail with a clear exception.
/// </summary>
public sealed class ConvexPersistenceTests : IDisposable
{
    private const string Signature = "DOCVXSLV";
    private const string Component = "DiffOpt convex solving transformer";
    private static readonly string[] OutputColumns = ["A", "X", "Y", "Status"];
    private readonly string _folder = Directory.CreateTempSubdirectory("diffopt-convex-tests-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    private (MLContext Ml, ITransformer Model, IDataView Data, List<RoundTripRow> Rows, string Path) SavedPipeline()
    {
        var ml = new MLContext(seed: 7);
        var rows = BoxBallProblem.Rows(40, seed: 11);
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.NormalizeMinMax("A").Append(ml.Transforms.SolveConvex(new BoxBallProblem().Options));
        var model = pipeline.Fit(data);
        var path = PathOf("model.zip");
        ml.Model.Save(model, data.Schema, path);
        return (ml, model, data, rows, path);
    }

    [Fact]
    public void Pipeline_RoundTripsInAFreshProcess_WithIdenticalOutputs()
    {
        var (_, model, data, rows, path) = SavedPipeline();
        var expected = RoundTripData.EncodeColumns(model.Transform(data), OutputColumns);
        Assert.Equal(expected, HelperProcess.Outputs(path, rows, OutputColumns, _folder));
    }

    [Fact]
    public void LoadedTransformer_HasTheSameProblemAndBindings()
    {
        var (ml, _, _, _, path) = SavedPipeline();
        var loaded = ((TransformerChain<ITransformer>)ml.Model.Load(path, out _)).OfType<ConvexSolvingTransformer>().Single();
        var original = new BoxBallProblem();
        Assert.Equal(DiffOpt.ML.Convex.ProblemWriter.Text(original.Problem), DiffOpt.ML.Convex.ProblemWriter.Text(loaded.Problem));
        Assert.Equal(["A", "B"], loaded.Inputs.Select(i => i.ColumnName));
        Assert.Equal(["a", "b"], loaded.Inputs.Select(i => i.Parameter.Name));
        Assert.Equal(["x", "y"], loaded.Outputs.Select(o => o.Variable.Name));
        Assert.Equal("Status", loaded.StatusColumnName);
    }

    [Fact]
    public void TruncatedFiles_FailToLoad_WithAnException()
    {
        var (ml, _, _, _, path) = SavedPipeline();
        var bytes = File.ReadAllBytes(path);
        foreach (var fraction in new[] { 0.1, 0.5, 0.9, 0.999 })
        {
            var truncated = PathOf($"truncated-{fraction}.zip");
            File.WriteAllBytes(truncated, bytes[..(int)(bytes.Length * fraction)]);
            var error = Assert.ThrowsAny<Exception>(() => ml.Model.Load(truncated, out _));
            Assert.False(string.IsNullOrWhiteSpace(error.Message));
        }
    }

    [Fact]
    public void DamagedDescription_FailsToLoad_WithAChecksumError()
    {
        var (ml, _, _, _, path) = SavedPipeline();
        var damaged = PathOf("damaged.zip");
        EditModelKey(path, damaged, bytes =>
        {
            var (_, payloadStart, _) = ModelFile.Description(bytes);
            bytes[payloadStart + 40] ^= 0x04; // a byte inside the problem's node list
            return bytes;
        });
        var error = LoadErrors.InnermostFormatError(() => ml.Model.Load(damaged, out _));
        Assert.Contains(Component, error.Message);
        Assert.Contains("SHA-256", error.Message);
    }

    [Fact]
    public void ResignedDescriptionOfAnotherProblem_FailsToLoad_AsCorrupt()
    {
        // Even with a valid checksum, a node that no longer matches its recorded shape or printed form is refused.
        var (ml, _, _, _, path) = SavedPipeline();
        var damaged = PathOf("resigned.zip");
        EditModelKey(path, damaged, bytes =>
        {
            var (hashStart, payloadStart, length) = ModelFile.Description(bytes);
            // Node 0 is the first leaf; its tag byte sits right after the format version and node count.
            bytes[payloadStart + 8] = (byte)DiffOpt.ML.Convex.ProblemNodeTag.Parameter == bytes[payloadStart + 8]
                ? (byte)DiffOpt.ML.Convex.ProblemNodeTag.Variable
                : (byte)DiffOpt.ML.Convex.ProblemNodeTag.Parameter;
            System.Security.Cryptography.SHA256.HashData(bytes.AsSpan(payloadStart, length)).CopyTo(bytes, hashStart);
            return bytes;
        });
        var error = LoadErrors.InnermostFormatError(() => ml.Model.Load(damaged, out _));
        Assert.Contains(Component, error.Message);
        Assert.Contains("corrupt", error.Message);
    }

    [Fact]
    public void FutureVersionFiles_FailToLoad_AskingForANewerDiffOpt()
    {
        var (ml, _, _, _, path) = SavedPipeline();
        var future = PathOf("future.zip");
        EditModelKey(path, future, bytes =>
        {
            BitConverter.GetBytes(0x00020001u).CopyTo(bytes, ModelFile.ModelVerWrittenOffset);
            BitConverter.GetBytes(0x00020001u).CopyTo(bytes, ModelFile.ModelVerReadableOffset);
            return bytes;
        });
        var error = LoadErrors.InnermostFormatError(() => ml.Model.Load(future, out _));
        Assert.Contains(Component, error.Message);
        Assert.Contains("newer DiffOpt.ML", error.Message);
    }

    /// <summary>Copies the model file, editing our component's Model.key.</summary>
    private static void EditModelKey(string path, string destination, Func<byte[], byte[]> edit) =>
        ModelFile.EditEntry(path, destination, ModelFile.FindComponent(path, Signature) + "Model.key", edit);
}
