using DiffOpt.Samples.Tests.Common;
using Microsoft.ML;
using Microsoft.ML.Data;
using SudokuStructuredPrediction.Data;
using SudokuStructuredPrediction.Model;

namespace DiffOpt.Samples.Tests.Sudoku;

/// <summary>
/// The ML.NET plumbing of the sample (save, load with checks, evaluate, predict), exercised with stand-in
/// models built from ML.NET's own transforms; the OptNet trainer itself is not available yet.
/// </summary>
public class SudokuModelTests
{
    private static readonly IReadOnlyList<SudokuExample> Examples = new SudokuGenerator(11).Generate(40);

    [Fact]
    public void Train_IsAClearlyMarkedPlaceholder()
    {
        var e = Assert.Throws<NotImplementedException>(() =>
            SudokuModel.Train(new MLContext(0), Examples, Examples, new SudokuTrainingOptions()));
        Assert.Equal("waiting for DiffOpt.ML trainer", e.Message);
    }

    [Fact]
    public void SavedModel_LoadsBack_AndIsScoredByThePapersRule()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(0);
        // Stand-in "oracle": copies the one-hot solution into Score; the error must be 0.
        var oracle = ml.Transforms.CopyColumns(SudokuModel.ScoreColumn, "Label").Fit(SudokuModel.ToDataView(ml, Examples));
        SudokuModel.Save(ml, oracle, folder.File("oracle.zip"));
        var loaded = SudokuModel.Load(new MLContext(1), folder.File("oracle.zip"));
        var evaluation = SudokuModel.Evaluate(ml, loaded, Examples);
        Assert.Equal(Examples.Count, evaluation.Boards);
        Assert.Equal(0, evaluation.Unsolved);
        Assert.Equal(0, evaluation.Mismatched);

        // Stand-in "echo": returns the puzzle itself; blanks decode to 1, so no board is solved.
        var echo = ml.Transforms.CopyColumns(SudokuModel.ScoreColumn, "Features").Fit(SudokuModel.ToDataView(ml, Examples));
        Assert.Equal(1.0, SudokuModel.Evaluate(ml, echo, Examples).Error);
        var predicted = SudokuModel.Predict(ml, echo, Examples[0].Puzzle);
        Assert.Equal(SudokuEncoding.OneHot(Examples[0].Puzzle), predicted.Score);
    }

    [Fact]
    public void Load_MissingFile_SaysNotFound()
    {
        var e = Assert.Throws<SampleException>(() => SudokuModel.Load(new MLContext(0), "/nonexistent/model.zip"));
        Assert.Equal("model file '/nonexistent/model.zip' not found", e.Message);
    }

    [Fact]
    public void Load_CorruptedOrTruncatedFile_SaysCannotRead()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(0);
        File.WriteAllText(folder.File("garbage.zip"), "not a zip");
        Assert.Contains("cannot read model file", Assert.Throws<SampleException>(() => SudokuModel.Load(ml, folder.File("garbage.zip"))).Message);

        var model = ml.Transforms.CopyColumns(SudokuModel.ScoreColumn, "Label").Fit(SudokuModel.ToDataView(ml, Examples));
        SudokuModel.Save(ml, model, folder.File("whole.zip"));
        var bytes = File.ReadAllBytes(folder.File("whole.zip"));
        File.WriteAllBytes(folder.File("truncated.zip"), bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<SampleException>(() => SudokuModel.Load(ml, folder.File("truncated.zip")));
        Assert.Contains("cannot read model file", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Load_ModelOfAnotherShape_SaysNotASudokuModel()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(0);
        // Score holds text, not 64 floats.
        var text = ml.Transforms.CopyColumns(SudokuModel.ScoreColumn, "Puzzle").Fit(SudokuModel.ToDataView(ml, Examples));
        SudokuModel.Save(ml, text, folder.File("text.zip"));
        Assert.Contains("expected a 'Score' column of 64 floats", Assert.Throws<SampleException>(() => SudokuModel.Load(ml, folder.File("text.zip"))).Message);

        // A model that needs an input column Sudoku rows do not have.
        var other = ml.Data.LoadFromEnumerable(new[] { new OtherRow() });
        var foreign = ml.Transforms.CopyColumns(SudokuModel.ScoreColumn, "Signal").Fit(other);
        ml.Model.Save(foreign, other.Schema, folder.File("foreign.zip"));
        Assert.Contains("not a Sudoku model", Assert.Throws<SampleException>(() => SudokuModel.Load(ml, folder.File("foreign.zip"))).Message);
    }

    private sealed class OtherRow
    {
        [VectorType(64)]
        public float[] Signal { get; set; } = new float[64];
    }
}
