using Denoising.Baseline;
using Denoising.Data;
using Denoising.Model;
using Denoising.TotalVariation;
using DiffOpt.Samples.Tests.Common;
using Microsoft.ML;
using TorchSharp;

namespace DiffOpt.Samples.Tests.Denoising;

/// <summary>The learned layer (a tiny train, save, load, evaluate) and the ML.NET plumbing of the denoising sample, also with stand-in models made of ML.NET transforms.</summary>
public class DenoisingModelTests
{
    private static readonly IReadOnlyList<SignalExample> Examples = new SignalGenerator(8).Generate(20);

    [Fact]
    public void Train_FromTv_ReportsTestMsePerEpoch_AndTheSavedModelLoadsBackWithTheSameOutputs()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(0);
        var train = new SignalGenerator(3).Generate(40);
        var epochs = new List<DenoisingEpoch>();
        var trained = DenoisingModel.Train(ml, train, Examples, new DenoisingTrainingOptions { Lambda = 15, Epochs = 2, BatchSize = 20 }, epochs.Add);

        Assert.Equal([0, 1, 2], epochs.Select(e => e.Epoch));
        Assert.All(epochs, e => Assert.True(double.IsFinite(e.TrainLoss)));
        Assert.All(epochs.Skip(1), e => Assert.True(e.Seconds > 0));
        // Epoch 0, the untrained layer, is total variation at the starting λ: its test MSE is exact TV's, computed independently.
        using (var noisy = SignalTensors.Noisy(Examples))
        using (var clean = SignalTensors.Clean(Examples))
        using (var tv = new TotalVariationDenoiser().Denoise(noisy, 15))
            Assert.Equal(SignalMetrics.MeanSquaredError(tv, clean), epochs[0].TestMse, 3);
        // The per-epoch test MSE (the trainer's validation loss) is the MSE of the model's output on the test signals.
        Assert.Equal(DenoisingModel.Evaluate(ml, trained, Examples), epochs[^1].TestMse, 4);

        DenoisingModel.Save(ml, trained, folder.File("tv.zip"));
        var loaded = DenoisingModel.Load(new MLContext(1), folder.File("tv.zip"));
        Assert.Equal(DenoisingModel.Predict(ml, trained, Examples[0].Noisy).Score, DenoisingModel.Predict(ml, loaded, Examples[0].Noisy).Score);
        Assert.Equal(DenoisingModel.Evaluate(ml, trained, Examples), DenoisingModel.Evaluate(ml, loaded, Examples));
    }

    [Fact]
    public void Train_FromTv_StartsAtExactTotalVariation()
    {
        // With a vanishing learning rate the trained layer is total variation at the starting λ, which the sample
        // also computes independently (TotalVariationDenoiser).
        var ml = new MLContext(0);
        var trained = DenoisingModel.Train(ml, Examples, [], new DenoisingTrainingOptions { Lambda = 12, Epochs = 1, LearningRate = 1e-12 });
        using var noisy = SignalTensors.Noisy(Examples.Take(4).ToList());
        using var tv = new TotalVariationDenoiser().Denoise(noisy, 12);
        for (int i = 0; i < 4; i++)
            Assert.Equal(SignalTensors.Row(tv, i), DenoisingModel.Predict(ml, trained, Examples[i].Noisy).Score, new FloatTolerance(1e-3f));
    }

    [Fact]
    public void StartingLambda_IsGiven_TunedFromTv_OrThePapersFromRandom()
    {
        Assert.Equal(7, DenoisingModel.StartingLambda(new DenoisingTrainingOptions { Lambda = 7 }, Examples));
        Assert.Equal(13, DenoisingModel.StartingLambda(new DenoisingTrainingOptions { Init = DenoisingInit.Random }, Examples));
        using var noisy = SignalTensors.Noisy(Examples);
        using var clean = SignalTensors.Clean(Examples);
        var (_, best) = LambdaSweep.Run(new TotalVariationDenoiser(), noisy, clean, LambdaSweep.DefaultGrid);
        Assert.Equal(best, DenoisingModel.StartingLambda(new DenoisingTrainingOptions(), Examples));
        Assert.Throws<ArgumentException>(() => DenoisingModel.Train(new MLContext(0), Examples, [], new DenoisingTrainingOptions()));
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
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
