using MathNet.Numerics.LinearAlgebra;

namespace DiffOpt.Tests.TestSupport;

/// <summary>svec and smat written from the definition (lower triangle column by column, off-diagonals times √2), independent of the code under test.</summary>
internal static class SvecReference
{
    /// <summary>The symmetric k × k matrix X with svec(X) = v.</summary>
    public static Matrix<double> ToMatrix(double[] v, int k)
    {
        var x = Matrix<double>.Build.Dense(k, k);
        int p = 0;
        for (int j = 0; j < k; j++)
            for (int i = j; i < k; i++, p++)
                x[i, j] = x[j, i] = i == j ? v[p] : v[p] / Math.Sqrt(2);
        return x;
    }

    /// <summary>svec of the lower triangle of x.</summary>
    public static double[] ToSvec(Matrix<double> x)
    {
        var v = new List<double>();
        for (int j = 0; j < x.ColumnCount; j++)
            for (int i = j; i < x.RowCount; i++)
                v.Add(i == j ? x[i, j] : Math.Sqrt(2) * x[i, j]);
        return [.. v];
    }
}
