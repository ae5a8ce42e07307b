namespace DiffOpt.Benchmarks.Suites;

/// <summary>Parses the "BxNxMxP" shape parameter of the suites.</summary>
public static class SuiteShape
{
    /// <summary>"128x100x100x20" → (128, 100, 100, 20).</summary>
    public static (int B, int N, int M, int P) Parse(string shape)
    {
        var parts = shape.Split('x').Select(int.Parse).ToArray();
        if (parts.Length != 4)
            throw new ArgumentException($"Argument 'shape' is '{shape}'; expected BxNxMxP.", nameof(shape));
        return (parts[0], parts[1], parts[2], parts[3]);
    }
}
