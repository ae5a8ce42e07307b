using System.Text.Json;
using DiffOpt.Benchmarks.QpCase;
using static TorchSharp.torch;

namespace DiffOpt.Benchmarks.ConvexLayerCase;

/// <summary>
/// A convex-layer case of the cvxpylayers peer's <c>layer_cases.py</c> (JSON): <c>{"problem", "B", "params": {name:
/// (B, …)}, "constants": {name: …}, "wt": (B, n_x)}</c>, read into float64 CPU tensors.
/// </summary>
public sealed class LayerCaseFile
{
    private LayerCaseFile(string problem, int batch, Dictionary<string, Tensor> parameters, Dictionary<string, Tensor> constants, Tensor weights)
    {
        Problem = problem; Batch = batch; Parameters = parameters; Constants = constants; Weights = weights;
    }

    /// <summary>The problem's name (relu, sparsemax, softmax, nnls, logistic, portfolio).</summary>
    public string Problem { get; }

    /// <summary>Batch size B.</summary>
    public int Batch { get; }

    /// <summary>The parameter values by name, batch first.</summary>
    public IReadOnlyDictionary<string, Tensor> Parameters { get; }

    /// <summary>The constants by name.</summary>
    public IReadOnlyDictionary<string, Tensor> Constants { get; }

    /// <summary>The loss weights wt (B, n_x) of L = Σ wt·x*.</summary>
    public Tensor Weights { get; }

    /// <summary>Reads a case file; throws <see cref="InvalidDataException"/> naming what is missing.</summary>
    public static LayerCaseFile Load(string path)
    {
        using var stream = File.OpenRead(path);
        using var doc = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 16 });
        var root = doc.RootElement;
        JsonElement Get(string key) => root.TryGetProperty(key, out var e) ? e : throw new InvalidDataException($"{path}: key '{key}' is missing.");
        Dictionary<string, Tensor> Arrays(JsonElement obj, string what) => obj.EnumerateObject().ToDictionary(p => p.Name, p =>
        {
            var (data, shape) = NestedArray.Read(p.Value, $"{path}: {what}.{p.Name}");
            return tensor(data, shape, ScalarType.Float64);
        });
        var (w, wShape) = NestedArray.Read(Get("wt"), $"{path}: wt");
        return new LayerCaseFile(Get("problem").GetString() ?? "", Get("B").GetInt32(), Arrays(Get("params"), "params"),
            root.TryGetProperty("constants", out var c) ? Arrays(c, "constants") : [], tensor(w, wShape, ScalarType.Float64));
    }
}
