using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Native;
using DiffOpt.Numerics;

namespace DiffOpt.Qp;

/// <summary>
/// A validated batch of QPs  minimize ½zᵀQz + pᵀz  s.t.  Gz ≤ h, Az = b: vectors broadcast to the batch
/// (P (B,n), H (B,m), Bvec (B,k)), matrices batched or shared (Q (B|1,n,n), G (B|1,m,n), A (B|1,k,n)).
/// Absent blocks are zero-row tensors. Infinite bounds in h are rewritten (see <see cref="FreeRows"/>): a row with
/// h = +∞ becomes 0·z ≤ 1, never active; a row with h = −∞ becomes 0·z ≤ −1, which no point meets, so its item is
/// primal infeasible; either way the other items are unaffected.
/// </summary>
internal sealed class QpProblem
{
    private QpProblem(Tensor q, Tensor p, Tensor g, Tensor h, Tensor a, Tensor b, bool[] batched, Tensor? freeRows)
    {
        Q = q; P = p; G = g; H = h; A = a; Bvec = b; IsBatched = batched; FreeRows = freeRows;
    }

    public Tensor Q { get; }
    public Tensor P { get; }
    public Tensor G { get; }
    public Tensor H { get; }
    public Tensor A { get; }
    public Tensor Bvec { get; }

    /// <summary>For Q, p, G, h, A, b in that order: whether the caller passed a batch dimension.</summary>
    public bool[] IsBatched { get; }

    /// <summary>
    /// (B,m) true where the caller's h was +∞ (no constraint): the row is 0·z ≤ 1 here, and its multiplier is
    /// reported as exactly 0, so that it adds nothing to any gradient. Null when there is no such row.
    /// </summary>
    public Tensor? FreeRows { get; }

    public long BatchSize => P.size(0);

    /// <summary>|Q|, |G|, |A| elementwise (for rounding-noise estimates), computed on first use.</summary>
    public (Tensor Q, Tensor G, Tensor A) Magnitudes => _magnitudes ??= (Q.abs(), G.abs(), A.abs());
    private (Tensor Q, Tensor G, Tensor A)? _magnitudes;

    /// <summary>The items at <paramref name="index"/> (1-D int64 batch positions); shared matrices stay shared.</summary>
    public QpProblem Select(Tensor index) => new(
        Batched.SelectItems(Q, index), P.index_select(0, index), Batched.SelectItems(G, index), H.index_select(0, index),
        Batched.SelectItems(A, index), Bvec.index_select(0, index), IsBatched, FreeRows?.index_select(0, index));

    /// <summary>The same batch with other data of the same shapes (for example, rescaled); shared matrices may become per-item.</summary>
    public QpProblem WithData(Tensor q, Tensor p, Tensor g, Tensor h, Tensor a, Tensor b) => new(q, p, g, h, a, b, IsBatched, FreeRows);

    /// <summary>Every tensor of the problem, including cached magnitudes.</summary>
    public IEnumerable<Tensor> Tensors() =>
        new[] { Q, P, G, H, A, Bvec }.Concat(_magnitudes is { } m ? new[] { m.Q, m.G, m.A } : Array.Empty<Tensor>())
            .Concat(FreeRows is null ? Array.Empty<Tensor>() : new[] { FreeRows });
    public long VariableCount => P.size(1);
    public long InequalityCount => H.size(1);
    public long EqualityCount => Bvec.size(1);
    public ScalarType DType => P.dtype;
    public Device Device => P.device;

    /// <summary>
    /// Checks every argument (rank, sizes, batch sizes, dtype, device, finiteness, symmetry of Q) and broadcasts
    /// them to a common batch. h may hold ±∞ (see the class remarks), no other argument may; no argument may hold
    /// NaN. Throws <see cref="ArgumentException"/> naming the culprit.
    /// </summary>
    public static QpProblem Create(Tensor? Q, Tensor? p, Tensor? G, Tensor? h, Tensor? A, Tensor? b)
    {
        if (Q is null) throw new ArgumentNullException(nameof(Q), "Q is required: a (n,n) or (B,n,n) tensor.");
        if (p is null) throw new ArgumentNullException(nameof(p), "p is required: a (n) or (B,n) tensor.");
        var args = new (Tensor? Tensor, string Name, int MatrixRank)[]
        {
            (Q, "Q", 2), (p, "p", 1), (G, "G", 2), (h, "h", 1), (A, "A", 2), (b, "b", 1),
        };
        var given = args.Where(a => a.Tensor is not null).Select(a => (a.Tensor!, a.Name)).ToArray();
        RequireCommon(given, t => t.dtype, (culprit, reference) =>
            $"Argument '{culprit.Name}' has dtype {culprit.Tensor.dtype}; expected {reference.Example.dtype} like {reference.Names}.");
        if (Q.dtype != ScalarType.Float64 && Q.dtype != ScalarType.Float32)
            throw new ArgumentException($"Argument 'Q' has dtype {Q.dtype}; expected Float32 or Float64.", nameof(Q));
        RequireCommon(given, t => (t.device_type, t.device_index), (culprit, reference) =>
            $"Argument '{culprit.Name}' is on device {culprit.Tensor.device}; expected {reference.Example.device} like {reference.Names}.");
        RequireRank(Q, "Q", 2, "(n,n) or (B,n,n)");
        long n = Q.size(-1);
        if (Q.size(-2) != n)
            throw new ArgumentException($"Argument 'Q' has shape {TensorText.Shape(Q)}; expected square matrices (n,n) or (B,n,n).", nameof(Q));

        RequireCompanion(G, h, "G", "h");
        RequireCompanion(A, b, "A", "b");

        RequireRank(p, "p", 1, "(n) or (B,n)");
        RequireLastDim(p, "p", n, "(n) or (B,n)");
        long m = RequireConstraintBlock(G, h, "G", "h", "m", n);
        long k = RequireConstraintBlock(A, b, "A", "b", "k", n);

        long batch = 1;
        string? batchSource = null;
        var batched = new bool[args.Length];
        for (int i = 0; i < args.Length; i++)
        {
            var (tensor, name, matrixRank) = args[i];
            if (tensor is null || tensor.dim() == matrixRank) continue;
            batched[i] = true;
            long size = tensor.size(0);
            if (batchSource is null) { batch = size; batchSource = name; }
            else if (size != batch)
                throw new ArgumentException(
                    $"Argument '{name}' has batch size {size} (shape {TensorText.Shape(tensor)}); expected {batch} like '{batchSource}', or no batch dimension.", name);
        }

        var (asymmetry, infiniteBounds) = RequireFiniteAndSymmetric(args.Select(a => (a.Tensor, a.Name)).ToArray(), Q);

        var options = (dtype: Q.dtype, device: Q.device);
        // Vectors are broadcast to the batch; matrices keep batch dimension 1 when shared, so the solver can
        // factorise and multiply them once for the whole batch. Every tensor is a new object (never the caller's),
        // so the solver may dispose what it holds.
        Tensor Matrix(Tensor? t, long rows) =>
            t is null ? zeros(1, rows, n, options.dtype, options.device) : t.dim() == 2 ? t.unsqueeze(0) : t.alias();
        Tensor Vector(Tensor? t, long rows) =>
            t is null ? zeros(batch, rows, options.dtype, options.device) : (t.dim() == 1 ? t.unsqueeze(0) : t).expand(batch, rows);

        var qSym = asymmetry == 0 ? Q : Q.Plus(Q.transpose(-1, -2)).Times(0.5);
        var (g, hVector, freeRows) = infiniteBounds ? WithoutInfiniteBounds(Matrix(G, m), Vector(h, m)) : (Matrix(G, m), Vector(h, m), null);
        return new QpProblem(Matrix(qSym, n), Vector(p, n), g, hVector, Matrix(A, k), Vector(b, k), batched, freeRows);
    }

    /// <summary>
    /// Rewrites the rows of G (B|1,m,n) and h (B,m) where h is infinite: +∞ gives 0·z ≤ 1, −∞ gives 0·z ≤ −1 (see
    /// the class remarks). A shared G stays shared when every item has the same infinite rows; otherwise it gets
    /// one copy per item. Returns the new G and h and the rows of +∞.
    /// </summary>
    private static (Tensor G, Tensor H, Tensor FreeRows) WithoutInfiniteBounds(Tensor g, Tensor h)
    {
        var infinite = isinf(h);
        bool samePattern = h.size(0) <= 1 || (infinite == infinite[0]).all().item<bool>();
        var rows = infinite.unsqueeze(-1);
        var rewritten = g.size(0) == 1 && samePattern
            ? g.FilledWhere(rows[..1], 0.0)
            : Batched.ExpandBatch(g, h.size(0)).FilledWhere(rows, 0.0).contiguous();
        var free = h.EqualTo(double.PositiveInfinity);
        return (rewritten, h.FilledWhere(free, 1.0).FilledWhere(h.EqualTo(double.NegativeInfinity), -1.0), free);
    }

    /// <summary>
    /// Checks that the given arguments agree on a property (<paramref name="key"/>: dtype or device) and otherwise
    /// throws naming the odd one out: the first argument that differs from the value most arguments share (from Q's
    /// value when no value has a majority), so that a lone float32 Q among float64 data is named, not p.
    /// <paramref name="message"/> gets the culprit and the reference: an argument with the reference value and the
    /// names of all that have it.
    /// </summary>
    private static void RequireCommon<TKey>((Tensor Tensor, string Name)[] given, Func<Tensor, TKey> key,
        Func<(Tensor Tensor, string Name), (Tensor Example, string Names), string> message) where TKey : notnull
    {
        var groups = given.GroupBy(a => key(a.Tensor)).ToList();
        if (groups.Count == 1) return;
        int largest = groups.Max(g => g.Count());
        var majority = groups.Where(g => g.Count() == largest).ToList();
        var reference = majority.Count == 1 ? majority[0].Key : key(given[0].Tensor);
        var sharing = given.Where(a => key(a.Tensor).Equals(reference)).ToArray();
        var culprit = given.First(a => !key(a.Tensor).Equals(reference));
        throw new ArgumentException(message(culprit, (sharing[0].Tensor, string.Join(", ", sharing.Select(a => a.Name)))), culprit.Name);
    }

    /// <summary>Checks a constraint block (matrix (r,n) or (B,r,n) with its right-hand side (r) or (B,r)); returns r (0 when absent).</summary>
    private static long RequireConstraintBlock(Tensor? matrix, Tensor? vector, string matrixName, string vectorName, string rows, long n)
    {
        if (matrix is null) return 0;
        RequireRank(matrix, matrixName, 2, $"({rows},n) or (B,{rows},n)");
        RequireLastDim(matrix, matrixName, n, $"({rows},n) or (B,{rows},n)");
        long r = matrix.size(-2);
        RequireRank(vector!, vectorName, 1, $"({rows}) or (B,{rows})");
        RequireLastDim(vector!, vectorName, r, $"({rows}) or (B,{rows}) with {rows} = {matrixName}.shape[-2]");
        return r;
    }

    private static void RequireCompanion(Tensor? matrix, Tensor? vector, string matrixName, string vectorName)
    {
        if (matrix is null && vector is not null)
            throw new ArgumentException($"Argument '{vectorName}' is given but '{matrixName}' is null; pass both or neither.", matrixName);
        if (matrix is not null && vector is null)
            throw new ArgumentException($"Argument '{matrixName}' is given but '{vectorName}' is null; pass both or neither.", vectorName);
    }

    private static void RequireRank(Tensor tensor, string name, int unbatchedRank, string expected)
    {
        long rank = tensor.dim();
        if (rank != unbatchedRank && rank != unbatchedRank + 1)
            throw new ArgumentException($"Argument '{name}' has shape {TensorText.Shape(tensor)} (rank {rank}); expected {expected}.", name);
    }

    private static void RequireLastDim(Tensor tensor, string name, long size, string expected)
    {
        if (tensor.size(-1) != size)
            throw new ArgumentException($"Argument '{name}' has shape {TensorText.Shape(tensor)}; expected {expected} with last dimension {size}.", name);
    }

    /// <summary>
    /// Checks that every argument is finite (h: not NaN) and that Q is symmetric (up to 1e3 ulp of its largest
    /// entry), with a single transfer of the verdicts to the host. Returns max |Q − Qᵀ| and whether h has an
    /// infinite entry.
    /// </summary>
    private static (double Asymmetry, bool InfiniteBounds) RequireFiniteAndSymmetric((Tensor? Tensor, string Name)[] args, Tensor Q)
    {
        var present = args.Where(a => a.Tensor is not null && a.Tensor.numel() > 0).ToArray();
        var bounds = present.Where(a => a.Name == "h").Select(a => a.Tensor!).SingleOrDefault();
        if (present.Length == 0) return (0, false);
        var verdicts = HostInputChecks.Serve(present.Select(a => a.Tensor!).ToArray())
            ? HostVerdicts(present, bounds, Q)
            : TensorVerdicts(present, bounds, Q);
        for (int i = 0; i < present.Length; i++)
            if (verdicts[i] == 0)
                throw new ArgumentException(present[i].Name == "h"
                    ? $"Argument 'h' (shape {TensorText.Shape(present[i].Tensor!)}) contains NaN entries; expected numbers (+Inf for no constraint, -Inf for one no point meets)."
                    : $"Argument '{present[i].Name}' (shape {TensorText.Shape(present[i].Tensor!)}) contains NaN or infinite entries; expected finite values.", present[i].Name);
        bool infiniteBounds = bounds is not null && verdicts[present.Length] != 0;
        if (Q.numel() == 0) return (0, infiniteBounds);
        double eps = Q.dtype == ScalarType.Float64 ? 2.2e-16 : 1.2e-7;
        double scale = Math.Max(1.0, verdicts[^2]);
        double asymmetry = verdicts[^1];
        if (asymmetry > 1e3 * eps * scale)
            throw new ArgumentException(
                $"Argument 'Q' (shape {TensorText.Shape(Q)}) is not symmetric: max |Q - Qᵀ| = {asymmetry:G3}; expected a symmetric positive semidefinite matrix.", nameof(Q));
        return (asymmetry, infiniteBounds);
    }

    /// <summary>
    /// The verdicts <see cref="RequireFiniteAndSymmetric"/> reads, in order: per present argument 1 where it passes
    /// (finite; h: no NaN), else 0; whether h has an infinite entry (when h is present); max |Q| and max |Q − Qᵀ|
    /// (when Q has entries). Batched tensor operations with one transfer to the host.
    /// </summary>
    private static double[] TensorVerdicts((Tensor? Tensor, string Name)[] present, Tensor? bounds, Tensor Q)
    {
        var checks = present.Select(a => (a.Name == "h" ? ~isnan(a.Tensor!) : isfinite(a.Tensor!)).all().to_type(ScalarType.Float64)).ToList();
        if (bounds is not null) checks.Add(isinf(bounds).any().to_type(ScalarType.Float64));
        if (Q.numel() > 0)
        {
            checks.Add(Q.abs().max().to_type(ScalarType.Float64));
            checks.Add((Q - Q.transpose(-1, -2)).abs().max().to_type(ScalarType.Float64));
        }
        return stack(checks).cpu().data<double>().ToArray();
    }

    /// <summary>The verdicts of <see cref="TensorVerdicts"/> read on the host (<see cref="HostInputChecks"/>), for CPU data.</summary>
    private static double[] HostVerdicts((Tensor? Tensor, string Name)[] present, Tensor? bounds, Tensor Q)
    {
        var verdicts = new List<double>();
        bool infiniteBounds = false;
        foreach (var (tensor, name) in present)
        {
            var (passes, anyInfinite) = HostInputChecks.Entries(tensor!, nanOnly: name == "h");
            verdicts.Add(passes ? 1 : 0);
            if (name == "h") infiniteBounds = anyInfinite;
        }
        if (bounds is not null) verdicts.Add(infiniteBounds ? 1 : 0);
        if (Q.numel() > 0)
        {
            var (maxAbs, asymmetry) = HostInputChecks.Magnitudes(Q);
            verdicts.Add(maxAbs);
            verdicts.Add(asymmetry);
        }
        return verdicts.ToArray();
    }

}
