namespace DiffOpt.ML;

/// <summary>Size checks shared by the built-in models.</summary>
internal static class ModelChecks
{
    /// <summary>Models whose output solves a problem in the feature space need features and labels of one length.</summary>
    public static void SameSize(int featureSize, int outputSize, string model)
    {
        if (featureSize != outputSize)
            throw new ArgumentException(
                $"{model} maps features to outputs of the same length, but the feature vector has length {featureSize} and the label vector {outputSize}.",
                "inputSchema");
    }
}
