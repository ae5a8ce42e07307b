using DiffOpt.Numerics;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The checked data of a batch of cone programs minimize cᵀx + ½xᵀPx s.t. Ax + s = b, s ∈ K, with every argument
/// broadcast to the batch: A (B, m, n), b (B, m), c (B, n), P (B, n, n) or null, in the data's dtype and on its
/// device (views of the inputs, detached). A may instead be held sparsely (<see cref="SparseA"/>, as the modeling layer
/// builds it): the CPU kernel and the sparse derivative read it as it is, and <see cref="Dense"/> forms the dense A for
/// the consumers that need it. <see cref="Wide"/> gives float64 copies for the solver's arithmetic.
/// </summary>
internal sealed class ConeProgramData
{
    private readonly Tensor? _a;

    /// <summary>Holds data already checked and broadcast by <see cref="Create(Tensor, Tensor, Tensor, IReadOnlyList{Cone}, Tensor?, bool)"/>.</summary>
    private ConeProgramData(IReadOnlyList<Cone> cones, Tensor? a, SparseBatchMatrix? sparseA, Tensor b, Tensor c, Tensor? p, bool sharedA,
        bool sharedP, bool sharedB = false, bool sharedC = false)
    {
        SharedB = sharedB;
        SharedC = sharedC;
        Cones = cones;
        _a = a;
        SparseA = sparseA;
        B = b;
        C = c;
        P = p;
        SharedA = sharedA;
        SharedP = sharedP;
    }

    /// <summary>The cones of K, in row order.</summary>
    public IReadOnlyList<Cone> Cones { get; }

    /// <summary>A, (B, m, n); only when A is held densely (<see cref="SparseA"/> is null: see <see cref="Dense"/>).</summary>
    /// <exception cref="InvalidOperationException">A is held sparsely.</exception>
    public Tensor A => _a ?? throw new InvalidOperationException("A is held sparsely (SparseA); its dense form comes from Dense().");

    /// <summary>A held sparsely (support shared by the items, values per item or shared), or null when A is dense.</summary>
    public SparseBatchMatrix? SparseA { get; }

    /// <summary>b, (B, m).</summary>
    public Tensor B { get; }

    /// <summary>c, (B, n).</summary>
    public Tensor C { get; }

    /// <summary>P, (B, n, n), or null for P = 0.</summary>
    public Tensor? P { get; }

    /// <summary>Whether A was given unbatched, (m, n), and is shared by the items.</summary>
    public bool SharedA { get; }

    /// <summary>Whether P was given unbatched, (n, n).</summary>
    public bool SharedP { get; }

    /// <summary>Whether b was given unbatched, (m).</summary>
    public bool SharedB { get; }

    /// <summary>Whether c was given unbatched, (n).</summary>
    public bool SharedC { get; }

    /// <summary>A as given: (m, n) when shared, else (B, m, n); only when A is held densely.</summary>
    public Tensor GivenA => SharedA ? A[0] : A;

    /// <summary>P as given: (n, n) when shared, else (B, n, n); null for P = 0.</summary>
    public Tensor? GivenP => P is null ? null : SharedP ? P[0] : P;

    /// <summary>B, the number of items.</summary>
    public long Batch => B.shape[0];

    /// <summary>The same data with A dense (itself when it already is): for the consumers that read the dense A.</summary>
    public ConeProgramData Dense() => SparseA is null ? this
        : new(Cones, SparseA.Dense(Batch), null, B, C, P, SharedA, SharedP, SharedB, SharedC);

    /// <summary>m, the number of rows.</summary>
    public long Rows => B.shape[1];

    /// <summary>n, the number of variables.</summary>
    public long Variables => C.shape[1];

    /// <summary>The data's dtype, float32 or float64.</summary>
    public ScalarType DType => B.dtype;

    /// <summary>The data's device.</summary>
    public Device Device => B.device;

    /// <summary>The same data in float64 (the solver's working precision).</summary>
    public ConeProgramData Wide() => new(Cones, _a?.to(ScalarType.Float64), SparseA?.To(ScalarType.Float64), B.to(ScalarType.Float64),
        C.to(ScalarType.Float64), P?.to(ScalarType.Float64), SharedA, SharedP, SharedB, SharedC);

    /// <summary>
    /// Checks the arguments before any work and broadcasts them to the batch. A is (B, m, n) or (m, n), b (B, m) or (m),
    /// c (B, n) or (n), P (B, n, n), (n, n) or null; the batched ones must agree on B; all float32 or all float64 on one
    /// device; finite; P symmetric (to 1e-10 relative, 1e-5 in float32); the cones must cover m rows.
    /// </summary>
    /// <param name="A">(B, m, n) or (m, n).</param>
    /// <param name="b">(B, m) or (m).</param>
    /// <param name="c">(B, n) or (n).</param>
    /// <param name="cones">The cones of K in row order.</param>
    /// <param name="P">(B, n, n), (n, n) or null.</param>
    /// <param name="matricesFinite">A and P are known to be finite (checked where they were built, for example on their
    /// nonzeros): skips scanning every entry of a large sparse A or P.</param>
    /// <exception cref="ArgumentException">ParamName is the offending argument (A, b, c, P or cones); the message says what was expected.</exception>
    public static ConeProgramData Create(Tensor A, Tensor b, Tensor c, IReadOnlyList<Cone> cones, Tensor? P, bool matricesFinite = false)
    {
        Require(A is not null && A.dim() is 2 or 3, nameof(A), "a tensor of shape (B, m, n) or (m, n)", A);
        return Create(A!, null, A!.shape[^2], A.shape[^1], b, c, cones, P, matricesFinite);
    }

    /// <summary>
    /// <see cref="Create(Tensor, Tensor, Tensor, IReadOnlyList{Cone}, Tensor?, bool)"/> for A held sparsely: its values
    /// are (B, k) or (k) (shared) and checked as A's (dtype, device, batch size, finiteness unless
    /// <paramref name="matricesFinite"/>); the dense A is formed only where a consumer needs it (<see cref="Dense"/>).
    /// </summary>
    /// <exception cref="ArgumentException">ParamName is the offending argument (A, b, c, P or cones); the message says what was expected.</exception>
    public static ConeProgramData Create(SparseBatchMatrix A, Tensor b, Tensor c, IReadOnlyList<Cone> cones, Tensor? P, bool matricesFinite = false) =>
        Create(A.Values, A, A.Rows, A.Columns, b, c, cones, P, matricesFinite);

    /// <summary>The checks and broadcasts of the two public overloads; <paramref name="A"/> is A's values when <paramref name="sparseA"/> is given.</summary>
    private static ConeProgramData Create(Tensor A, SparseBatchMatrix? sparseA, long m, long n, Tensor b, Tensor c, IReadOnlyList<Cone> cones,
        Tensor? P, bool matricesFinite)
    {
        Require(b is not null && b.dim() is 1 or 2 && b.shape[^1] == m, nameof(b), $"a tensor of shape (B, {m}) or ({m}) (m from A)", b);
        Require(c is not null && c.dim() is 1 or 2 && c.shape[^1] == n, nameof(c), $"a tensor of shape (B, {n}) or ({n}) (n from A)", c);
        if (P is not null)
            Require(P.dim() is 2 or 3 && P.shape[^1] == n && P.shape[^2] == n, nameof(P), $"a tensor of shape (B, {n}, {n}) or ({n}, {n}), or null", P);
        if (cones is null) throw new ArgumentException("cones must be a list of cone descriptions; got null.", nameof(cones));
        CompositeCone.Validate(cones, m);

        var named = new List<(Tensor Value, string Name, int Unbatched)> { (A, nameof(A), sparseA is null ? 2 : 1), (b!, nameof(b), 1), (c!, nameof(c), 1) };
        if (P is not null) named.Add((P, nameof(P), 2));
        long batch = 1;
        string? batchOwner = null;
        foreach (var (value, name, unbatched) in named)
        {
            if (value.dim() == unbatched) continue;
            if (batchOwner is null) { batch = value.shape[0]; batchOwner = name; }
            else if (value.shape[0] != batch)
                throw new ArgumentException($"{name} has batch size {value.shape[0]} but {batchOwner} has {batch}; batched arguments must agree.", name);
        }
        var dtype = A.dtype;
        if (dtype is not (ScalarType.Float32 or ScalarType.Float64))
            throw new ArgumentException($"A must be float32 or float64; got {dtype}.", nameof(A));
        foreach (var (value, name, unbatched) in named)
        {
            if (value.dtype != dtype || value.device_type != A.device_type || value.device_index != A.device_index)
                throw new ArgumentException(
                    $"{name} must have A's dtype and device ({dtype} on {A.device}); got {value.dtype} on {value.device}.", name);
            bool matrix = name is nameof(A) or nameof(P);
            if (!(matricesFinite && matrix) && !HostInputChecks.AllFinite(value))
                throw new ArgumentException($"{name} contains NaN or infinite entries; the data must be finite.", name);
        }
        if (P is not null) CheckSymmetric(P.detach().to(ScalarType.Float64), P.dtype);

        Tensor Broadcast(Tensor value, params long[] shape) => value.detach().expand(shape);
        return new ConeProgramData(cones.ToArray(), sparseA is null ? Broadcast(A, batch, m, n) : null, sparseA, Broadcast(b!, batch, m),
            Broadcast(c!, batch, n), P is null ? null : Broadcast(P, batch, n, n), sparseA?.Shared ?? A.dim() == 2, P is not null && P.dim() == 2,
            b!.dim() == 1, c!.dim() == 1);
    }

    /// <summary>Throws naming P unless max |P − Pᵀ| is within the dtype's relative limit.</summary>
    private static void CheckSymmetric(Tensor P, ScalarType dtype)
    {
        if (P.numel() == 0) return;
        double scale = Math.Max(1, P.abs().max().item<double>());
        double asymmetry = (P - P.transpose(-1, -2)).abs().max().item<double>();
        double limit = (dtype == ScalarType.Float32 ? 1e-5 : 1e-10) * scale;
        if (asymmetry > limit)
            throw new ArgumentException(
                $"P must be symmetric; max |P − Pᵀ| is {asymmetry:G3}, more than {limit:G3} (relative to max |P|).", nameof(P));
    }

    /// <summary>Throws an ArgumentException naming <paramref name="name"/> with what was expected and the shape got.</summary>
    private static void Require(bool condition, string name, string expected, Tensor? value)
    {
        if (!condition)
            throw new ArgumentException(
                $"{name} must be {expected}; got {(value is null ? "null" : $"shape [{string.Join(", ", value.shape)}]")}.", name);
    }
}
