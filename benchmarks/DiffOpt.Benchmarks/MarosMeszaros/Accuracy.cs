namespace DiffOpt.Benchmarks.MarosMeszaros;

/// <summary>qpbenchmark's accuracy settings and their absolute tolerances.</summary>
public static class Accuracy
{
    /// <summary>The setting names accepted on the command line.</summary>
    public static readonly string[] Names = ["low", "mid", "high"];

    /// <summary>low 1e-3, mid 1e-6, high 1e-9.</summary>
    public static double Tolerance(string name) => name switch
    {
        "low" => 1e-3,
        "mid" => 1e-6,
        "high" => 1e-9,
        _ => throw new ArgumentException($"Argument 'accuracy' is '{name}'; expected one of {string.Join(", ", Names)}.", nameof(name)),
    };
}
