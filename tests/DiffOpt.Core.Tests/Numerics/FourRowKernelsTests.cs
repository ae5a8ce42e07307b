using DiffOpt.Numerics;
using DiffOpt.Tests.TestSupport;

namespace DiffOpt.Tests.Numerics;

/// <summary>
/// The four-row kernels of <see cref="VectorKernels"/> at lengths below, at and between whole vectors, with rows
/// going down (positive stride) and up (negative stride): the dot products agree with exactly rounded sums to the
/// bound γ_n Σ|terms| of recursive summation (Higham, "Accuracy and Stability of Numerical Algorithms", eq. 3.5),
/// and the four-row update gives bit for bit what four single-row updates give, as its documentation promises.
/// </summary>
public class FourRowKernelsTests
{
    public static TheoryData<int, bool> Shapes() => new()
    {
        { 0, false }, { 3, false }, { 4, true }, { 8, false }, { 13, true }, { 50, false }, { 50, true },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public unsafe void DotFourRows_MatchesEachRowsDotProduct(int length, bool upward)
    {
        var (matrix, x) = Data(length, seed: length);
        var result = new double[4];
        int start = upward ? 3 * length : 0;
        long stride = upward ? -length : length;
        fixed (double* m = matrix, xp = x, r = result)
            VectorKernels.DotFourRows(m + start, stride, xp, length, r);

        for (int row = 0; row < 4; row++)
        {
            int offset = (int)(start + row * stride);
            var exact = new ExactSum();
            double magnitude = 0;
            for (int k = 0; k < length; k++)
            {
                exact.Add(matrix[offset + k], x[k]);
                magnitude += Math.Abs(matrix[offset + k] * x[k]);
            }
            double bound = (length + 1) * 1.1102230246251565e-16 * magnitude * 1.01;
            Assert.True(Math.Abs(result[row] - exact.Value) <= bound, $"row {row}: {result[row]:R} vs {exact.Value:R} (bound {bound:E2})");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public unsafe void SubtractScaledFourRows_EqualsFourSingleRowUpdates(int length, bool upward)
    {
        var (matrix, y) = Data(length, seed: 100 + length);
        double[] coefficients = [0.75, -1.3, 2.1e-3, -17.0];
        double[] fused = (double[])y.Clone(), single = (double[])y.Clone();
        int start = upward ? 3 * length : 0;
        long stride = upward ? -length : length;
        fixed (double* m = matrix, f = fused, s = single)
        {
            VectorKernels.SubtractScaledFourRows(m + start, stride, coefficients[0], coefficients[1], coefficients[2], coefficients[3], f, length);
            for (int row = 0; row < 4; row++)
                VectorKernels.SubtractScaled(m + start + row * stride, coefficients[row], s, length);
        }
        Assert.Equal(single, fused);
    }

    private static (double[] Matrix, double[] Vector) Data(int length, int seed)
    {
        var random = new Random(seed);
        var matrix = Enumerable.Range(0, 4 * length).Select(_ => Math.ScaleB(random.NextDouble() - 0.5, random.Next(-10, 10))).ToArray();
        var vector = Enumerable.Range(0, length).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        return (matrix, vector);
    }
}
