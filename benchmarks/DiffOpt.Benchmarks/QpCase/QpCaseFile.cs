using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Benchmarks.QpCase;

/// <summary>
/// A batch of QPs in the qpth peer harness's case format (JSON written by its <c>gen_qps.py --json</c>):
/// float64 arrays Q (B,n,n), p (B,n), G (B,m,n), h (B,m), A (B,peq,n), b (B,peq), w (B,n) with the batch
/// dimension always present and empty blocks as (B,0,n), plus a <c>meta</c> object.
/// </summary>
public sealed class QpCaseFile
{
    private QpCaseFile(string name, long batch, long n, long m, long p, Dictionary<string, (double[] Data, long[] Shape)> arrays)
    {
        Name = name; Batch = batch; N = n; M = m; P = p; _arrays = arrays;
    }

    private readonly Dictionary<string, (double[] Data, long[] Shape)> _arrays;

    /// <summary>The case name (meta.name, else the file name).</summary>
    public string Name { get; }
    /// <summary>Batch size B.</summary>
    public long Batch { get; }
    /// <summary>Variables n.</summary>
    public long N { get; }
    /// <summary>Inequality rows m.</summary>
    public long M { get; }
    /// <summary>Equality rows p.</summary>
    public long P { get; }

    /// <summary>A float64 CPU tensor of the array <paramref name="key"/> (Q, p, G, h, A, b or w).</summary>
    public Tensor Tensor(string key)
    {
        var (data, shape) = _arrays[key];
        return tensor(data, shape, ScalarType.Float64);
    }

    /// <summary>Reads and checks a case file; throws <see cref="InvalidDataException"/> naming the key and shapes on mismatch.</summary>
    public static QpCaseFile Load(string path)
    {
        using var stream = File.OpenRead(path);
        using var doc = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 16 });
        var root = doc.RootElement;
        var arrays = new Dictionary<string, (double[] Data, long[] Shape)>();
        foreach (var key in new[] { "Q", "p", "G", "h", "A", "b" })
        {
            if (!root.TryGetProperty(key, out var element))
                throw new InvalidDataException($"{path}: key '{key}' is missing.");
            arrays[key] = NestedArray.Read(element, $"{path}: {key}");
        }
        var q = arrays["Q"].Shape;
        if (q.Length != 3 || q[1] != q[2])
            throw new InvalidDataException($"{path}: Q has shape ({string.Join(",", q)}); expected (B,n,n).");
        long batch = q[0], n = q[1];
        // An empty block reads as (B,0): give it its column count.
        foreach (var key in new[] { "G", "A" })
            if (arrays[key].Shape is [var rowsB, 0]) arrays[key] = (arrays[key].Data, [rowsB, 0, n]);
        long m = Expect(arrays, "G", path, batch, null, n)[1];
        long p = Expect(arrays, "A", path, batch, null, n)[1];
        Expect(arrays, "p", path, batch, n);
        Expect(arrays, "h", path, batch, m);
        Expect(arrays, "b", path, batch, p);
        if (root.TryGetProperty("w", out var w)) arrays["w"] = NestedArray.Read(w, $"{path}: w");
        else arrays["w"] = (Enumerable.Repeat(1.0, checked((int)(batch * n))).ToArray(), [batch, n]);
        Expect(arrays, "w", path, batch, n);

        string name = root.TryGetProperty("meta", out var meta) && meta.TryGetProperty("name", out var nm) && nm.GetString() is { } s
            ? s : Path.GetFileNameWithoutExtension(path);
        return new QpCaseFile(name, batch, n, m, p, arrays);
    }

    private static long[] Expect(Dictionary<string, (double[] Data, long[] Shape)> arrays, string key, string path, long batch, long? rows, long? cols = null)
    {
        var shape = arrays[key].Shape;
        bool ok = cols is null
            ? shape.Length == 2 && shape[0] == batch && shape[1] == rows
            : shape.Length == 3 && shape[0] == batch && shape[2] == cols;
        if (!ok)
        {
            string expected = cols is null ? $"({batch},{rows})" : $"({batch},rows,{cols})";
            throw new InvalidDataException($"{path}: {key} has shape ({string.Join(",", shape)}); expected {expected}.");
        }
        return shape;
    }
}
