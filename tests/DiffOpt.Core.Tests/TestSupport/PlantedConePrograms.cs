using DiffOpt.Cones;
using DiffOpt.Native;
using MathNet.Numerics.LinearAlgebra;
using static TorchSharp.torch;

namespace DiffOpt.Tests.TestSupport;

/// <summary>
/// A batch of cone programs minimize cᵀx + ½xᵀPx s.t. Ax + s = b, s ∈ K with a solution (x, y, s), as tensors of
/// one dtype on the CPU: A (B, m, n) or (m, n) shared, b (B, m), c (B, n), P (B, n, n), (n, n) or null.
/// </summary>
internal sealed record ConeProgramPoint(IReadOnlyList<Cone> Cones, Tensor A, Tensor B, Tensor C, Tensor? P, Tensor X, Tensor Y, Tensor S)
{
    /// <summary>B, the number of items.</summary>
    public long Batch => B.shape[0];

    /// <summary>m, the number of rows.</summary>
    public long Rows => B.shape[1];

    /// <summary>n, the number of variables.</summary>
    public long Variables => C.shape[1];

    /// <summary>The derivative of the solution map at this point.</summary>
    internal ConeProgramDerivative Derivative() => new(Cones, A, B, C, P, X, Y, S);

    /// <summary>The same point in another dtype.</summary>
    public ConeProgramPoint To(ScalarType dtype) =>
        new(Cones, A.to(dtype), B.to(dtype), C.to(dtype), P?.to(dtype), X.to(dtype), Y.to(dtype), S.to(dtype));
}

/// <summary>How a complementary pair (s, y) of one cone sits: which of s ∈ K and y ∈ K* is zero.</summary>
internal enum PairKind
{
    /// <summary>s in the interior of K, y = 0 (the constraint is inactive).</summary>
    SlackInterior,

    /// <summary>s = 0, y in the interior of K*.</summary>
    DualInterior,

    /// <summary>s ≠ 0 and y ≠ 0 both on the boundary with sᵀy = 0 (strictly complementary).</summary>
    Boundary,
}

/// <summary>
/// Cone programs built around a known solution: per cone a strictly complementary pair s ∈ K, y ∈ K* with sᵀy = 0
/// (<see cref="Pair"/>), a random x, then b = Ax + s and c = −Aᵀy − Px, so that (x, y, s) satisfies the optimality
/// conditions Px + Aᵀy + c = 0, Ax + s = b, s ∈ K, y ∈ K*, sᵀy = 0 by construction.
/// </summary>
internal static class PlantedConePrograms
{
    /// <summary>
    /// A batch of <paramref name="batch"/> programs with n = <paramref name="variables"/>. A is standard normal
    /// times <paramref name="noise"/> (shared when <paramref name="sharedA"/>) plus <paramref name="diagonal"/>·I on
    /// its leading square block;
    /// P = LLᵀ/n + I per item (or shared), or null when <paramref name="withP"/> is false. Cone k of item i gets
    /// the pair kind (i + k) mod 3, so that three items or more show every cone in every kind; the nonnegative
    /// cones have their even rows active (s = 0, y &gt; 0) and odd rows inactive in every item.
    /// </summary>
    public static ConeProgramPoint Plant(IReadOnlyList<Cone> cones, int variables, int batch, int seed,
        bool withP = true, bool sharedA = false, bool sharedP = false, double noise = 1, double diagonal = 0)
    {
        var random = new ProblemGenerator(seed);
        int m = cones.Sum(c => c.Rows), n = variables;
        Matrix<double> NewA() => noise * random.NormalMatrix(m, n) + diagonal * Matrix<double>.Build.DenseIdentity(m, n);
        Matrix<double> NewP() => random.Quadratic(n, Curvature.PositiveDefinite) + 0.9 * Matrix<double>.Build.DenseIdentity(n);
        var shared = NewA();
        var sharedQuadratic = NewP();
        var a = new List<Matrix<double>>();
        var p = new List<Matrix<double>>();
        var (bs, cs, xs, ys, ss) = (new List<double[]>(), new List<double[]>(), new List<double[]>(), new List<double[]>(), new List<double[]>());
        for (int i = 0; i < batch; i++)
        {
            var ai = sharedA ? shared : NewA();
            var pi = !withP ? Matrix<double>.Build.Dense(n, n) : sharedP ? sharedQuadratic : NewP();
            var x = random.NormalVector(n);
            var s = new List<double>();
            var y = new List<double>();
            for (int k = 0; k < cones.Count; k++)
            {
                var cone = cones[k];
                var kind = (PairKind)((i + k) % 3);
                var (si, yi) = Pair(cone, kind, random);
                s.AddRange(si);
                y.AddRange(yi);
            }
            var sv = Vector<double>.Build.DenseOfEnumerable(s);
            var yv = Vector<double>.Build.DenseOfEnumerable(y);
            a.Add(ai);
            p.Add(pi);
            bs.Add((ai * x + sv).ToArray());
            cs.Add((-(ai.TransposeThisAndMultiply(yv)) - pi * x).ToArray());
            xs.Add(x.ToArray());
            ys.Add(y.ToArray());
            ss.Add(s.ToArray());
        }
        var aTensor = sharedA ? Matrix(shared) : stack(a.Select(Matrix).ToArray());
        Tensor? pTensor = !withP ? null : sharedP ? Matrix(sharedQuadratic) : stack(p.Select(Matrix).ToArray());
        return new ConeProgramPoint(cones, aTensor, Rows(bs), Rows(cs), pTensor, Rows(xs), Rows(ys), Rows(ss));
    }

    /// <summary>
    /// The point with the solution's s and y replaced (x, A and P kept) and b = Ax + s, c = −Aᵀy − Px recomputed, so
    /// that it is again optimal when s ∈ K, y ∈ K* and sᵀy = 0.
    /// </summary>
    public static ConeProgramPoint Replant(ConeProgramPoint point, Tensor s, Tensor y)
    {
        var px = point.P is null ? zeros_like(point.X) : point.P.matmul(point.X.unsqueeze(2)).squeeze(2);
        var b = point.A.matmul(point.X.unsqueeze(2)).squeeze(2).Plus(s);
        var c = -point.A.transpose(-1, -2).matmul(y.unsqueeze(2)).squeeze(2) - px;
        return point with { B = b, C = c, S = s, Y = y };
    }

    /// <summary>
    /// The point with the given rows of A replaced by single nonzeros (row, column, value), in every item or only in
    /// <paramref name="item"/>, and b, c recomputed by <see cref="Replant"/>: bounds x_j ≥ l (an active or inactive
    /// nonnegative row) and fixings x_j = l (a zero-cone row) as canonicalisation writes them.
    /// </summary>
    public static ConeProgramPoint WithSingletonRows(ConeProgramPoint point, IReadOnlyList<(int Row, int Column, double Value)> rows, int? item = null)
    {
        var a = point.A.clone();
        foreach (int i in item is { } only ? [only] : Enumerable.Range(0, (int)point.Batch))
            foreach (var (row, column, value) in rows)
            {
                a[i, row] = zeros(point.Variables, dtype: a.dtype);
                a[i, row, column] = tensor(value, dtype: a.dtype);
            }
        return Replant(point with { A = a }, point.S, point.Y);
    }

    /// <summary>
    /// A complementary pair (s, y) of <paramref name="cone"/> of the given kind (an exponential cone's triple t gets
    /// kind + t mod 3), with random directions and
    /// magnitudes in [0.5, 2]. Zero cone: s = 0, y arbitrary. Nonnegative: row-wise, even rows active.
    /// Second-order: s = α(1, w), y = β(1, −w) on the boundary. PSD: S = Q diag(λ) Qᵀ and Y = Q diag(μ) Qᵀ with
    /// complementary supports. Exponential: s = t(r, 1, eʳ) and y = μ(−eʳ, eʳ(r − 1), 1), the boundary ray of K_exp
    /// and its normal ray in K_exp*.
    /// </summary>
    public static (double[] S, double[] Y) Pair(Cone cone, PairKind kind, ProblemGenerator random)
    {
        double Magnitude() => random.Uniform(0.5, 2);
        switch (cone)
        {
            case ZeroCone zero:
                return (new double[zero.Rows], random.NormalVector(zero.Rows).ToArray());
            case NonnegativeCone nonnegative:
                {
                    var s = new double[nonnegative.Rows];
                    var y = new double[nonnegative.Rows];
                    for (int i = 0; i < s.Length; i++)
                        (i % 2 == 0 ? y : s)[i] = Magnitude();
                    return (s, y);
                }
            case SecondOrderCone soc:
                {
                    if (soc.Rows == 1 && kind == PairKind.Boundary) kind = PairKind.SlackInterior; // a half-line has no such pair
                    var w = random.NormalVector(soc.Rows - 1);
                    w = w / Math.Max(w.L2Norm(), 1e-300);
                    double[] Ray(double t, Vector<double> u) => [t, .. u];
                    double r = Magnitude(), beta = Magnitude();
                    return kind switch
                    {
                        PairKind.SlackInterior => (Ray(r * 1.5, r * w), new double[soc.Rows]),
                        PairKind.DualInterior => (new double[soc.Rows], Ray(r * 1.5, r * w)),
                        _ => (Ray(r, r * w), Ray(1, -w).Select(e => e * beta).ToArray()),
                    };
                }
            case PsdCone psd:
                return PsdPair(psd.Order, kind, random);
            case ExponentialCone exponential:
                {
                    var s = new List<double>();
                    var y = new List<double>();
                    for (int i = 0; i < exponential.Count; i++)
                    {
                        double r = random.Uniform(-1.5, 1.5), t = Magnitude(), mu = Magnitude();
                        double[] slack = [t * r, t, t * Math.Exp(r)];
                        double[] dual = [-mu * Math.Exp(r), mu * Math.Exp(r) * (r - 1), mu];
                        var triple = (PairKind)(((int)kind + i) % 3);
                        if (triple == PairKind.SlackInterior) { slack[2] *= 1.5; dual = [0, 0, 0]; }
                        if (triple == PairKind.DualInterior) { dual[2] *= 1.5; slack = [0, 0, 0]; }
                        s.AddRange(slack);
                        y.AddRange(dual);
                    }
                    return (s.ToArray(), y.ToArray());
                }
            default:
                throw new ArgumentException($"No complementary pairs for {cone}.", nameof(cone));
        }
    }

    private static (double[] S, double[] Y) PsdPair(int order, PairKind kind, ProblemGenerator random)
    {
        var q = random.NormalMatrix(order, order).QR().Q;
        int rank = kind switch
        {
            PairKind.SlackInterior => order,
            PairKind.DualInterior => 0,
            _ => Math.Max(1, Math.Min(order - 1, (int)Math.Floor(random.Uniform(1, order)))),
        };
        var lambda = Vector<double>.Build.Dense(order, i => i < rank ? random.Uniform(0.5, 2) : 0);
        var mu = Vector<double>.Build.Dense(order, i => i < rank ? 0 : random.Uniform(0.5, 2));
        return (SvecReference.ToSvec(q * Matrix<double>.Build.DiagonalOfDiagonalVector(lambda) * q.Transpose()),
                SvecReference.ToSvec(q * Matrix<double>.Build.DiagonalOfDiagonalVector(mu) * q.Transpose()));
    }

    private static Tensor Matrix(Matrix<double> m) => tensor(m.ToRowMajorArray(), [m.RowCount, m.ColumnCount], ScalarType.Float64);

    private static Tensor Rows(List<double[]> rows) =>
        tensor(rows.SelectMany(r => r).ToArray(), [rows.Count, rows[0].Length], ScalarType.Float64);
}
