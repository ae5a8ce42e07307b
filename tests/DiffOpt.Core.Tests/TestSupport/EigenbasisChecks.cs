namespace DiffOpt.Tests.TestSupport;

/// <summary>Checks of a symmetric block's eigendecomposition M = QΛQᵀ (Q row-major r × r, eigenvectors as columns).</summary>
internal static class EigenbasisChecks
{
    /// <summary>Asserts QᵀQ = I and QΛQᵀ = <paramref name="block"/> (row-major r × r), entrywise to <paramref name="tolerance"/>.</summary>
    public static void AssertOrthonormalAndReconstructs(double[] block, double[] values, double[] vectors, int r, double tolerance)
    {
        for (int i = 0; i < r; i++)
            for (int j = 0; j < r; j++)
            {
                double gram = 0, product = 0;
                for (int t = 0; t < r; t++)
                {
                    gram += vectors[t * r + i] * vectors[t * r + j];
                    product += vectors[i * r + t] * values[t] * vectors[j * r + t];
                }
                Assert.Equal(i == j ? 1 : 0, gram, tolerance);
                Assert.Equal(block[i * r + j], product, tolerance);
            }
    }
}
