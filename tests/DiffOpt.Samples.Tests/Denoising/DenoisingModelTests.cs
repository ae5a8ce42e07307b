using Denoising.Data;
using Denoising.Model;
using Denoising.TotalVariation;
using DiffOpt.Samples.Tests.Common;
using Microsoft.ML;
using TorchSharp;

namespace DiffOpt.Samples.Tests.Denoising;

/// <summary>The ML.NET plumbing of the denoising sample, with stand-in models made of ML.NET transforms.</summary>
public class DenoisingModelTests
{
    private static readonly IReadOnlyList<SignalExample> Examples = new SignalGenerator(8).Generate(20);

    [Fact]
    public void Train_IsAClearlyMarkedPlaceholder()
    {
        var e = Assert.Throws<NotImplementedException>(() =>
            DenoisingModel.Train(new MLContext(0), Examples, Examples, new DenoisingTrainingOptions()));
        Assert.Equal("waiting for DiffOpt.ML trainer", e.Message);
    }

    [Fact]
    public void SavedModel_LoadsBack_AndIsScoredByMse()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(0);
        var echo = ml.Transforms.CopyColumns(DenoisingModel.ScoreColumn, "Features").Fit(DenoisingModel.ToDataView(ml, Examples));
        DenoisingModel.Save(ml, echo, folder.File("echo.zip"));
        var loaded = DenoisingModel.Load(new MLContext(1), folder.File("echo.zip"));
        using var noisy = SignalTensors.Noisy(Examples);
        using var clean = SignalTensors.Clean(Examples);
        Assert.Equal(SignalMetrics.MeanSquaredError(noisy, clean), DenoisingModel.Evaluate(ml, loaded, Examples), 9);
        Assert.Equal(Examples[0].Noisy, DenoisingModel.Predict(ml, loaded, Examples[0].Noisy).Score);

        var oracle = ml.Transforms.CopyColumns(DenoisingModel.ScoreColumn, "Label").Fit(DenoisingModel.ToDataView(ml, Examples));
        Assert.Equal(0, DenoisingModel.Evaluate(ml, oracle, Examples));
    }

    [Fact]
    public void Load_BadFiles_SayWhy()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(0);
        Assert.Contains("not found", Assert.Throws<SampleException>(() => DenoisingModel.Load(ml, folder.File("none.zip"))).Message);
        File.WriteAllBytes(folder.File("garbage.zip"), [1, 2, 3]);
        Assert.Contains("cannot read model file", Assert.Throws<SampleException>(() => DenoisingModel.Load(ml, folder.File("garbage.zip"))).Message);

        // A Sudoku model (it reads the Puzzle column, which denoising rows do not have) is not a denoising model.
        var sudokuRows = SudokuStructuredPrediction.Model.SudokuModel.ToDataView(ml, new SudokuStructuredPrediction.Data.SudokuGenerator(0).Generate(2));
        var sudoku = ml.Transforms.CopyColumns("Score", "Puzzle").Fit(sudokuRows);
        ml.Model.Save(sudoku, sudokuRows.Schema, folder.File("sudoku.zip"));
        Assert.Contains("not a denoising model", Assert.Throws<SampleException>(() => DenoisingModel.Load(ml, folder.File("sudoku.zip"))).Message);
    }
}
