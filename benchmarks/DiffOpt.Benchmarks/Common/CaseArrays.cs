using System.Text.Json;
using DiffOpt.Benchmarks.QpCase;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Benchmarks.Common;

/// <summary>
/// The named float64 arrays of a peer harness's case file (JSON: nested lists, batch dimension first, and a
/// <c>meta</c> object with the case name), read once and checked shape by shape; errors name the file, the key and
/// the shapes.
/// </summary>
public sealed class CaseArrays
{
    private readonly Dictionary<string, (double[] Data, long[] Shape)> _arrays = new();

    private CaseArrays(string path, string name)
    {
        Path = path; Name = name;
    }

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>The case name (meta.name, else the file name).</summary>
    public string Name { get; }

    /// <summary>
    /// Reads the arrays <paramref name="required"/> (each must be present) and <paramref name="optional"/> (where
    /// present) of the file; <paramref name="readOther"/>, when given, reads whatever else it needs from the same root.
    /// </summary>
    /// <exception cref="InvalidDataException">A required key is missing or an array is ragged.</exception>
    public static CaseArrays Read(string path, IEnumerable<string> required, IEnumerable<string>? optional = null,
        Action<JsonElement>? readOther = null)
    {
        using var stream = File.OpenRead(path);
        using var doc = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 16 });
        var root = doc.RootElement;
        string name = root.TryGetProperty("meta", out var meta) && meta.TryGetProperty("name", out var n) && n.GetString() is { } s
            ? s : System.IO.Path.GetFileNameWithoutExtension(path);
        var arrays = new CaseArrays(path, name);
        foreach (var key in required)
        {
            if (!root.TryGetProperty(key, out var element))
                throw new InvalidDataException($"{path}: key '{key}' is missing.");
            arrays._arrays[key] = NestedArray.Read(element, $"{path}: {key}");
        }
        foreach (var key in optional ?? [])
            if (root.TryGetProperty(key, out var element))
                arrays._arrays[key] = NestedArray.Read(element, $"{path}: {key}");
        readOther?.Invoke(root);
        return arrays;
    }

    /// <summary>Whether the array <paramref name="key"/> was read.</summary>
    public bool Has(string key) => _arrays.ContainsKey(key);

    /// <summary>The shape of the array <paramref name="key"/>.</summary>
    public long[] Shape(string key) => _arrays[key].Shape;

    /// <summary>Replaces (or adds) the array <paramref name="key"/>.</summary>
    public void Set(string key, double[] data, long[] shape) => _arrays[key] = (data, shape);

    /// <summary>A float64 CPU tensor of the array <paramref name="key"/>.</summary>
    public Tensor Tensor(string key)
    {
        var (data, shape) = _arrays[key];
        return tensor(data, shape, ScalarType.Float64);
    }

    /// <summary>Checks that the array <paramref name="key"/> has exactly <paramref name="expected"/>, where a null entry matches any size; returns its shape.</summary>
    /// <exception cref="InvalidDataException">It does not.</exception>
    public long[] Expect(string key, params long?[] expected)
    {
        var shape = Shape(key);
        if (shape.Length != expected.Length || shape.Zip(expected).Any(p => p.Second is { } size && p.First != size))
            throw new InvalidDataException(
                $"{Path}: {key} has shape ({string.Join(",", shape)}); expected ({string.Join(",", expected.Select(e => e?.ToString() ?? "·"))}).");
        return shape;
    }
}
