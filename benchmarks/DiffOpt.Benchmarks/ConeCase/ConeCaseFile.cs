using System.Text.Json;
using DiffOpt.Benchmarks.QpCase;
using DiffOpt.Cones;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Benchmarks.ConeCase;

/// <summary>
/// A batch of cone programs in the cvxpylayers peer harness's case format (JSON written by its <c>gen_cones.py</c>):
/// minimize cᵀx subject to Ax + s = b, s ∈ K, with float64 arrays A (B,m,n), b (B,m), c (B,n), w (B,n) and the cone
/// sizes <c>{"z", "l", "q": [..], "s": [..], "ep"}</c> (zero, nonnegative, second-order, PSD orders, exponential
/// triples, rows in that order, SCS's svec convention), plus a <c>meta</c> object.
/// </summary>
public sealed class ConeCaseFile
{
    private ConeCaseFile(string name, IReadOnlyList<Cone> cones, Dictionary<string, (double[] Data, long[] Shape)> arrays)
    {
        Name = name; Cones = cones; _arrays = arrays;
    }

    private readonly Dictionary<string, (double[] Data, long[] Shape)> _arrays;

    /// <summary>The case name (meta.name, else the file name).</summary>
    public string Name { get; }

    /// <summary>The cones, in row order.</summary>
    public IReadOnlyList<Cone> Cones { get; }

    /// <summary>Batch size B.</summary>
    public long Batch => _arrays["A"].Shape[0];

    /// <summary>Rows m.</summary>
    public long M => _arrays["A"].Shape[1];

    /// <summary>Variables n.</summary>
    public long N => _arrays["A"].Shape[2];

    /// <summary>A float64 CPU tensor of the array <paramref name="key"/> (A, b, c or w).</summary>
    public Tensor Tensor(string key)
    {
        var (data, shape) = _arrays[key];
        return tensor(data, shape, ScalarType.Float64);
    }

    /// <summary>Reads and checks a case file; throws <see cref="InvalidDataException"/> naming the key and shapes on mismatch.</summary>
    public static ConeCaseFile Load(string path)
    {
        using var stream = File.OpenRead(path);
        using var doc = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 16 });
        var root = doc.RootElement;
        var arrays = new Dictionary<string, (double[] Data, long[] Shape)>();
        foreach (var key in new[] { "A", "b", "c", "w" })
        {
            if (!root.TryGetProperty(key, out var element))
                throw new InvalidDataException($"{path}: key '{key}' is missing.");
            arrays[key] = NestedArray.Read(element, $"{path}: {key}");
        }
        var a = arrays["A"].Shape;
        if (a.Length != 3)
            throw new InvalidDataException($"{path}: A has shape ({string.Join(",", a)}); expected (B,m,n).");
        Expect(arrays, "b", path, a[0], a[1]);
        Expect(arrays, "c", path, a[0], a[2]);
        Expect(arrays, "w", path, a[0], a[2]);
        if (!root.TryGetProperty("cones", out var cones))
            throw new InvalidDataException($"{path}: key 'cones' is missing.");
        var list = ReadCones(cones, path);
        long rows = list.Sum(c => (long)c.Rows);
        if (rows != a[1])
            throw new InvalidDataException($"{path}: the cones cover {rows} rows; A has {a[1]}.");
        string name = root.TryGetProperty("meta", out var meta) && meta.TryGetProperty("name", out var n) ? n.GetString()! : Path.GetFileNameWithoutExtension(path);
        return new ConeCaseFile(name, list, arrays);
    }

    private static List<Cone> ReadCones(JsonElement cones, string path)
    {
        int Count(string key) => cones.TryGetProperty(key, out var v) ? v.GetInt32() : 0;
        IEnumerable<int> Sizes(string key) => cones.TryGetProperty(key, out var v) ? v.EnumerateArray().Select(e => e.GetInt32()) : [];
        var list = new List<Cone>();
        try
        {
            if (Count("z") > 0) list.Add(new ZeroCone(Count("z")));
            if (Count("l") > 0) list.Add(new NonnegativeCone(Count("l")));
            list.AddRange(Sizes("q").Select(q => new SecondOrderCone(q)));
            list.AddRange(Sizes("s").Select(k => new PsdCone(k)));
            if (Count("ep") > 0) list.Add(new ExponentialCone(Count("ep")));
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException($"{path}: a cone size is out of range: {e.Message}", e);
        }
        return list;
    }

    private static void Expect(Dictionary<string, (double[] Data, long[] Shape)> arrays, string key, string path, long batch, long size)
    {
        var shape = arrays[key].Shape;
        if (shape.Length != 2 || shape[0] != batch || shape[1] != size)
            throw new InvalidDataException($"{path}: {key} has shape ({string.Join(",", shape)}); expected ({batch},{size}).");
    }
}
