namespace DiffOpt.ML.Tests.Infrastructure;

/// <summary>Equality within an absolute tolerance, for Assert.Equal on sequences.</summary>
internal sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>, IEqualityComparer<float>
{
    public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

    public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

    public int GetHashCode(double obj) => 0;

    public int GetHashCode(float obj) => 0;
}
