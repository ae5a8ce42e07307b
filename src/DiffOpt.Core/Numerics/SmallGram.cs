using DiffOpt.Native;

namespace DiffOpt.Numerics;

/// <summary>
/// The lower triangle of a small Gram matrix GᵀG or GGᵀ (row-major G) in managed code, and by BLAS's dgemm
/// (<see cref="NativeBlas.GramLower"/>) above <see cref="MaxMultiplyAdds"/>. The cone kernel forms two such sums per
/// iteration (the reduced KKT matrix's packed second-order block and its Schur complement); on the portfolio layer
/// (10 × 10 from 11 rows, 11 × 11 from 60 columns) the dgemm calls cost more than their arithmetic (perf samples).
/// </summary>
internal static class SmallGram
{
    /// <summary>Multiply–adds of the full product (rows · columns² for GᵀG, columns · rows² for GGᵀ) up to which the sum is formed here.</summary>
    public const int MaxMultiplyAdds = 8192;

    /// <summary>
    /// The lower triangle of α·GᵀG (columns × columns), or of α·GGᵀ (rows × rows) when <paramref name="outer"/>, into
    /// the row-major <paramref name="result"/> (row length <paramref name="ldc"/>; the strict upper part is left as it
    /// was here and overwritten by BLAS), for the row-major rows × columns <paramref name="g"/>.
    /// </summary>
    public static void Lower(ReadOnlySpan<double> g, int rows, int columns, bool outer, double alpha, Span<double> result, int ldc)
    {
        int order = outer ? rows : columns;
        if ((long)order * order * (outer ? columns : rows) > MaxMultiplyAdds)
        {
            NativeBlas.GramLower(g, rows, columns, columns, outer, alpha, 0, result, ldc);
            return;
        }
        if (g.Length < rows * columns || result.Length < (order == 0 ? 0 : (order - 1) * ldc + order))
            throw new ArgumentException("The spans are shorter than the matrices' shapes.");
        if (outer)
        {
            for (int a = 0; a < rows; a++)
                for (int b = 0; b <= a; b++) result[a * ldc + b] = alpha * SpanKernels.Dot(g.Slice(a * columns, columns), g.Slice(b * columns, columns));
            return;
        }
        for (int a = 0; a < columns; a++) result.Slice(a * ldc, a + 1).Clear();
        for (int r = 0; r < rows; r++)
        {
            var row = g.Slice(r * columns, columns);
            for (int a = 0; a < columns; a++) SpanKernels.AddScaled(alpha * row[a], row[..(a + 1)], result.Slice(a * ldc, a + 1));
        }
    }
}
