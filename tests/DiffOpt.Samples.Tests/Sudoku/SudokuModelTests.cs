using DiffOpt.Samples.Tests.Common;
using Microsoft.ML;
using Microsoft.ML.Data;
using SudokuStructuredPrediction.Data;
using SudokuStructuredPrediction.Evaluation;
using SudokuStructuredPrediction.Model;

namespace DiffOpt.Samples.Tests.Sudoku;

/// <summary>
/// The OptNet model (a tiny train, save, load, evaluate) and the ML.NET plumbing of the sample (load checks,
/// evaluation by the paper's rule), the latter also with stand-in models built from ML.NET's own transforms.
/// </summary>
public class SudokuModelTests
{
    private static readonly IReadOnlyList<SudokuExample> Examples = new SudokuGenerator(11).Generate(40);

    [Fact]
    public void Train_ReportsEachEpoch_AndTheSavedModelLoadsBackWithTheSameScores()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(0);
        var train = new SudokuGenerator(21).Generate(90);
        var test = Examples.Take(20).ToList();
        var epochs = new List<EpochResult>();
        var options = new SudokuTrainingOptions { Epochs = 2, BatchSize = 30, Seed = 3 };
        var trained = SudokuModel.Train(ml, train, test, options, epochs.Add);

        // Epoch 0 is the untrained model (the start of the OptNet curve), scored like the others.
        Assert.Equal([0, 1, 2], epochs.Select(e => e.Epoch));
        Assert.All(epochs, e => Assert.Equal(test.Count, e.Test.Boards));
        Assert.All(epochs, e => Assert.True(double.IsFinite(e.TrainLoss)));
        Assert.Equal(0, epochs[0].Seconds);
        Assert.All(epochs.Skip(1), e => Assert.True(e.Seconds > 0));
        Assert.True(epochs[2].TrainLoss < epochs[1].TrainLoss, $"training loss {epochs[1].TrainLoss} then {epochs[2].TrainLoss}");
        // The last epoch's score is the trained model's.
        Assert.Equal(epochs[^1].Test, SudokuModel.Evaluate(ml, trained, test));

        SudokuModel.Save(ml, trained, folder.File("optnet.zip"));
        var loaded = SudokuModel.Load(new MLContext(1), folder.File("optnet.zip"));
        var expected = ModelFile.Scores(trained, SudokuModel.ToDataView(ml, test), SudokuModel.ScoreColumn);
        Assert.Equal(expected, ModelFile.Scores(loaded, SudokuModel.ToDataView(ml, test), SudokuModel.ScoreColumn));
        Assert.Equal(epochs[^1].Test, SudokuModel.Evaluate(ml, loaded, test));
        Assert.Equal(SudokuEncoding.ArgMax(expected[0]), SudokuModel.Predict(ml, loaded, test[0].Puzzle).ToBoard());
    }

    [Fact]
    public void Train_OutputsAreNonNegative_AsTheLayersConstraintsRequire()
    {
        var ml = new MLContext(0);
        var trained = SudokuModel.Train(ml, Examples, [], new SudokuTrainingOptions { Epochs = 1, BatchSize = 40 });
        var scores = ModelFile.Scores(trained, SudokuModel.ToDataView(ml, Examples.Take(5)), SudokuModel.ScoreColumn);
        Assert.All(scores.SelectMany(v => v), v => Assert.True(v >= -1e-5, $"score {v} < 0"));
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
