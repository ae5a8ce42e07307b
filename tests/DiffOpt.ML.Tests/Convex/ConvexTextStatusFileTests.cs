using DiffOpt.ML.RoundTripHelper;
using DiffOpt.ML.Tests.Infrastructure;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiffOpt.ML.Tests.Convex;

/// <summary>
/// Convex models saved while their status columns were text (format 0x00010001, TestData/ConvexTextStatus, see its
/// README for provenance) load, write text with the same names, give the same outputs in this process and in a fresh one,
/// and reproduce the recorded ones: statuses exactly, numbers to 1e-5 (the solvers have changed since the files were
/// saved, e.g. the cone solver's polish steps, so the last bits of a cone-route output may differ); the same models
/// saved again write the key column.
/// </summary>
public sealed class ConvexTextStatusFileTests : IDisposable
{
    private static readonly string[] SolveColumns = ["X", "Y", "Status"];
    private static readonly string[] LayerColumns = ["Score", "ScoreStatus", "ScoreParameters"];
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "TestData", "ConvexTextStatus");
    private readonly string _scratch = Directory.CreateTempSubdirectory("diffopt-convex-text-status-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    public static TheoryData<string, string, string[], string> Files => new()
    {
        { "solve.zip", "solve-outputs.bin", SolveColumns, "Status" },
        { "layer.zip", "layer-outputs.bin", LayerColumns, "ScoreStatus" },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void TextStatusFile_LoadsAndPredictsAsWhenSaved(string model, string outputs, string[] columns, string status)
    {
        var ml = new MLContext(seed: 1);
        var rows = RoundTripData.ReadRows(Path.Combine(Folder, "rows.bin"));
        var expected = File.ReadAllBytes(Path.Combine(Folder, outputs));
        var loaded = ml.Model.Load(Path.Combine(Folder, model), out _).Transform(ml.Data.LoadFromEnumerable(rows));
        Assert.Equal(TextDataViewType.Instance, loaded.Schema[status].Type);
        var actual = RoundTripData.EncodeColumns(loaded, columns);
        Assert.Equal(actual, HelperProcess.Outputs(Path.Combine(Folder, model), rows, columns, _scratch));
        var (expectedNumbers, expectedTexts) = Decode(expected, loaded.Schema, columns, rows.Count);
        var (actualNumbers, actualTexts) = Decode(actual, loaded.Schema, columns, rows.Count);
        Assert.Equal(expectedTexts, actualTexts);
        Assert.Equal(expectedNumbers.Count, actualNumbers.Count);
        for (int i = 0; i < expectedNumbers.Count; i++)
            Assert.True(expectedNumbers[i].Equals(actualNumbers[i]) || Math.Abs(expectedNumbers[i] - actualNumbers[i]) <= 1e-5,
                $"number {i}: recorded {expectedNumbers[i]:R}, now {actualNumbers[i]:R}");
    }

    /// <summary>The numbers and texts of <see cref="RoundTripData.EncodeColumns"/>'s output, read with the columns' types.</summary>
    private static (List<double> Numbers, List<string> Texts) Decode(byte[] bytes, DataViewSchema schema, string[] columns, int rows)
    {
        var numbers = new List<double>();
        var texts = new List<string>();
        using var reader = new BinaryReader(new MemoryStream(bytes), System.Text.Encoding.UTF8);
        for (int row = 0; row < rows; row++)
            foreach (var name in columns)
            {
                var type = schema[name].Type;
                var item = type is VectorDataViewType v ? v.ItemType : type;
                int count = type is VectorDataViewType vector ? vector.Size : 1;
                if (item == NumberDataViewType.Single)
                    for (int k = 0; k < count; k++) numbers.Add(reader.ReadSingle());
                else if (item == NumberDataViewType.Double)
                    for (int k = 0; k < count; k++) numbers.Add(reader.ReadDouble());
                else texts.Add(reader.ReadString());
            }
        Assert.Equal(bytes.Length, reader.BaseStream.Position);
        return (numbers, texts);
    }

    [Fact]
    public void TextStatusFiles_HoldEveryRowKind_AsTheKeysNamesThem()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(RoundTripData.ReadRows(Path.Combine(Folder, "rows.bin")));
        var solve = ml.Model.Load(Path.Combine(Folder, "solve.zip"), out _).Transform(data);
        string[] expected =
        [
            "Solved", "Solved", "Solved", SolverStatusColumn.NonFiniteInputName, "Solved", "Solved", SolverStatusColumn.InvalidInputName,
            "Solved", "Solved", "Solved", "Solved", "Solved",
        ];
        Assert.Equal(expected, solve.GetColumn<ReadOnlyMemory<char>>("Status").Select(s => s.ToString()));
        var layer = ml.Model.Load(Path.Combine(Folder, "layer.zip"), out _).Transform(data);
        Assert.Equal(expected.Select(s => s == SolverStatusColumn.InvalidInputName ? "Solved" : s),
            layer.GetColumn<ReadOnlyMemory<char>>("ScoreStatus").Select(s => s.ToString()));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void TextStatusFile_SavedAgain_WritesTheKey_WithTheSameNames(string model, string outputs, string[] columns, string status)
    {
        _ = outputs;
        _ = columns;
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(RoundTripData.ReadRows(Path.Combine(Folder, "rows.bin")));
        var old = ml.Model.Load(Path.Combine(Folder, model), out var schema);
        var resaved = Path.Combine(_scratch, "resaved.zip");
        ml.Model.Save(old, schema, resaved);
        var keyed = ml.Model.Load(resaved, out _).Transform(data);
        Assert.Equal(SolverStatusColumn.KeyType, keyed.Schema[status].Type);
        var names = ml.Transforms.Conversion.MapKeyToValue("Name", status).Fit(keyed).Transform(keyed).GetColumn<ReadOnlyMemory<char>>("Name");
        Assert.Equal(old.Transform(data).GetColumn<ReadOnlyMemory<char>>(status).Select(s => s.ToString()), names.Select(s => s.ToString()));
    }
}
