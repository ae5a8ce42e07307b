namespace DiffOpt.ML.Tests.Infrastructure;

/// <summary>A small training set-up (30 rows, 3 features, 2 outputs, a generic QP head) that trains in well under a second.</summary>
internal static class SmallTraining
{
    public static readonly List<(double[] Features, double[] Label)> Rows = SyntheticData.ClippedLinear(30, d: 3, n: 2, seed: 11);

    public static QpLayerTrainer.Options Options => new()
    {
        Model = new GenericQpModel { InequalityCount = 4 },
        NumberOfEpochs = 2,
        BatchSize = 10,
        LearningRate = 0.05,
    };
}
