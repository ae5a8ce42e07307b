using DiffOpt.ML.Tests.Infrastructure;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiffOpt.ML.Tests;

/// <summary>
/// A fit started right after a cancelled one must run as if it were the first (issue #16: once in six runs such a fit
/// failed within 29 ms with libtorch's "toDouble" Scalar assertion, a sign of native state freed by the cancelled fit).
/// </summary>
public class FitAfterCancellationTests
{
    private static readonly List<(double[] Features, double[] Label)> LargeRows = SyntheticData.ClippedLinear(3000, d: 3, n: 2, seed: 5);

    [Fact]
    public void FitsAfterFitsCancelledInsideALongSolve_TrainLikeAFreshFit()
    {
        var fresh = Train(new MLContext(seed: 3));
        for (int round = 0; round < 6; round++)
        {
            var ml = new MLContext(seed: 3);
            using (var cancellation = new CancellationTokenSource())
            {
                // One batch of 3000 rows: the cancellation lands inside the solve, at a different point each round. A
                // dedicated thread cancels (a timer's callback waits for a free thread-pool thread, which the solver's
                // parallel kernels may hold until the fit is over). Enough epochs that the fit is still running at the
                // latest cancellation (80 ms): with 3, a faster solver finished first once and nothing was cancelled.
                int delay = 5 + 15 * round;
                var canceller = new Thread(() => { Thread.Sleep(delay); cancellation.Cancel(); }) { IsBackground = true };
                canceller.Start();
                var big = ml.DiffOpt().Trainers.QpLayer(SmallTraining.Options with { BatchSize = 3000, NumberOfEpochs = 40 });
                Assert.ThrowsAny<OperationCanceledException>(() =>
                    big.Fit(VectorRows.Floats(ml, LargeRows), null, new QpTrainingMonitor { CancellationToken = cancellation.Token }));
                canceller.Join();
            }
            if (round % 3 == 0)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
            Assert.Equal(fresh, Train(new MLContext(seed: 3)));
        }
    }

    /// <summary>Trains the small set-up and returns its predictions on the training rows.</summary>
    private static float[] Train(MLContext ml)
    {
        var data = VectorRows.Floats(ml, SmallTraining.Rows);
        using var model = ml.DiffOpt().Trainers.QpLayer(SmallTraining.Options).Fit(data);
        var scored = model.Transform(data);
        return scored.GetColumn<float[]>("Score").SelectMany(v => v).ToArray();
    }
}
