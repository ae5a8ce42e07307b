namespace Denoising.Baseline;

/// <summary>What one training epoch of a denoising model produced.</summary>
/// <param name="Epoch">1-based epoch (0: before training).</param>
/// <param name="TrainLoss">Mean training MSE over the epoch's mini-batches (NaN before training).</param>
/// <param name="TestMse">Test MSE after the epoch.</param>
/// <param name="Seconds">Wall-clock seconds spent training in this epoch.</param>
public sealed record DenoisingEpoch(int Epoch, double TrainLoss, double TestMse, double Seconds);
