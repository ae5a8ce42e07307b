using System.Text.Json;
using DiffOpt.Benchmarks.Common;
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
    private readonly CaseArrays _arrays;

    private ConeCaseFile(CaseArrays arrays, IReadOnlyList<Cone> cones)
    {
        _arrays = arrays; Cones = cones;
    }

    /// <summary>The case name (meta.name, else the file name).</summary>
    public string Name => _arrays.Name;

    /// <summary>The cones, in row order.</summary>
    public IReadOnlyList<Cone> Cones { get; }

    /// <summary>Batch size B.</summary>
    public long Batch => _arrays.Shape("A")[0];

    /// <summary>Rows m.</summary>
    public long M => _arrays.Shape("A")[1];

    /// <summary>Variables n.</summary>
    public long N => _arrays.Shape("A")[2];

    /// <summary>A float64 CPU tensor of the array <paramref name="key"/> (A, b, c or w).</summary>
    public Tensor Tensor(string key) => _arrays.Tensor(key);

    /// <summary>Reads and checks a case file; throws <see cref="InvalidDataException"/> naming the key and shapes on mismatch.</summary>
    public static ConeCaseFile Load(string path)
    {
        List<Cone>? list = null;
        var arrays = CaseArrays.Read(path, ["A", "b", "c", "w"], readOther: root => list = root.TryGetProperty("cones", out var cones)
            ? ReadCones(cones, path) : throw new InvalidDataException($"{path}: key 'cones' is missing."));
        var a = arrays.Expect("A", null, null, null);
        arrays.Expect("b", a[0], a[1]);
        arrays.Expect("c", a[0], a[2]);
        arrays.Expect("w", a[0], a[2]);
        long rows = list!.Sum(c => (long)c.Rows);
        if (rows != a[1])
            throw new InvalidDataException($"{path}: the cones cover {rows} rows; A has {a[1]}.");
        return new ConeCaseFile(arrays, list!);
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
}
