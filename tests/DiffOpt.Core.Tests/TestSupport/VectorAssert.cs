using MathNet.Numerics.LinearAlgebra;
using Xunit.Abstractions;

namespace DiffOpt.Tests.TestSupport;

/// <summary>Comparison of vectors with logged errors.</summary>
internal static class VectorAssert
{
    /// <summary>Asserts ‖actual − expected‖∞ ≤ <paramref name="accuracy"/>·(1 + ‖expected‖∞) and logs the error.</summary>
    public static double Close(Vector<double> expected, Vector<double> actual, double accuracy, string what, ITestOutputHelper? output = null)
    {
        Assert.Equal(expected.Count, actual.Count);
        double error = ReferenceComparison.Error(expected, actual);
        output?.WriteLine($"{what}: error {error:E2}");
        Assert.True(error <= accuracy, $"{what}: relative error {error:G3} > {accuracy:G3}\nexpected [{Format(expected)}]\nactual   [{Format(actual)}]");
        return error;
    }

    public static string Format(Vector<double> v) => string.Join(", ", v.Select(x => x.ToString("G8")));
}
