using DiffOpt.Benchmarks.Common;
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
    private readonly CaseArrays _arrays;

    private QpCaseFile(CaseArrays arrays, long batch, long n, long m, long p)
    {
        _arrays = arrays; Batch = batch; N = n; M = m; P = p;
    }

    /// <summary>The case name (meta.name, else the file name).</summary>
    public string Name => _arrays.Name;
    /// <summary>Batch size B.</summary>
    public long Batch { get; }
    /// <summary>Variables n.</summary>
    public long N { get; }
    /// <summary>Inequality rows m.</summary>
    public long M { get; }
    /// <summary>Equality rows p.</summary>
    public long P { get; }

    /// <summary>A float64 CPU tensor of the array <paramref name="key"/> (Q, p, G, h, A, b or w).</summary>
    public Tensor Tensor(string key) => _arrays.Tensor(key);

    /// <summary>Reads and checks a case file; throws <see cref="InvalidDataException"/> naming the key and shapes on mismatch.</summary>
    public static QpCaseFile Load(string path)
    {
        var arrays = CaseArrays.Read(path, ["Q", "p", "G", "h", "A", "b"], ["w"]);
        var q = arrays.Shape("Q");
        if (q.Length != 3 || q[1] != q[2])
            throw new InvalidDataException($"{path}: Q has shape ({string.Join(",", q)}); expected (B,n,n).");
        long batch = q[0], n = q[1];
        // An empty block reads as (B,0): give it its column count.
        foreach (var key in new[] { "G", "A" })
            if (arrays.Shape(key) is [var rowsB, 0]) arrays.Set(key, [], [rowsB, 0, n]);
        long m = arrays.Expect("G", batch, null, n)[1];
        long p = arrays.Expect("A", batch, null, n)[1];
        arrays.Expect("p", batch, n);
        arrays.Expect("h", batch, m);
        arrays.Expect("b", batch, p);
        if (!arrays.Has("w")) arrays.Set("w", Enumerable.Repeat(1.0, checked((int)(batch * n))).ToArray(), [batch, n]);
        arrays.Expect("w", batch, n);
        return new QpCaseFile(arrays, batch, n, m, p);
    }
}
