namespace DiffOpt.ML;

/// <summary>The training loss between the layer's output and the label vector, averaged over all entries.</summary>
public enum QpLayerLoss
{
    /// <summary>Mean squared error (OptNet's Sudoku and denoising loss).</summary>
    MeanSquaredError,

    /// <summary>Mean absolute error.</summary>
    MeanAbsoluteError,
}
