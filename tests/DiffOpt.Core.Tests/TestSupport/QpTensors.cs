using DiffOpt.Qp;
using MathNet.Numerics.LinearAlgebra;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Tests.TestSupport;

/// <summary>The six QP arguments in the order the solver takes them (also the gradient order of <see cref="QpFunction"/>).</summary>
public enum QpArg { Q = 0, P = 1, G = 2, H = 3, A = 4, B = 5 }

/// <summary>
/// The tensor arguments (Q, p, G, h, A, b) of one solver call, built from <see cref="QpInstance"/>s: batched by
/// stacking, shared (unbatched) where asked, absent blocks as null or as zero-row tensors.
/// </summary>
internal sealed record QpTensors(Tensor Q, Tensor P, Tensor? G, Tensor? H, Tensor? A, Tensor? B)
{
    public static readonly QpArg[] AllArgs = Enum.GetValues<QpArg>();

    /// <summary>The arguments of a single unbatched problem.</summary>
    public static QpTensors Single(QpInstance qp, ScalarType dtype = ScalarType.Float64, bool emptyAsNull = true) =>
        new(ToTensor(qp.Q, dtype), ToTensor(qp.P, dtype),
            qp.M == 0 && emptyAsNull ? null : ToTensor(qp.G, dtype),
            qp.M == 0 && emptyAsNull ? null : ToTensor(qp.H, dtype),
            qp.K == 0 && emptyAsNull ? null : ToTensor(qp.A, dtype),
            qp.K == 0 && emptyAsNull ? null : ToTensor(qp.B, dtype));

    /// <summary>
    /// Stacks the items into batched arguments. Arguments listed in <paramref name="shared"/> are taken unbatched
    /// from the first item (the caller guarantees that all items agree on them).
    /// </summary>
    public static QpTensors Stack(IReadOnlyList<QpInstance> items, ScalarType dtype = ScalarType.Float64,
        bool emptyAsNull = true, params QpArg[] shared)
    {
        Tensor Arg(QpArg arg, Func<QpInstance, Tensor> select) =>
            shared.Contains(arg) ? select(items[0]) : stack(items.Select(select).ToArray());
        var first = items[0];
        return new QpTensors(
            Arg(QpArg.Q, i => ToTensor(i.Q, dtype)),
            Arg(QpArg.P, i => ToTensor(i.P, dtype)),
            first.M == 0 && emptyAsNull ? null : Arg(QpArg.G, i => ToTensor(i.G, dtype)),
            first.M == 0 && emptyAsNull ? null : Arg(QpArg.H, i => ToTensor(i.H, dtype)),
            first.K == 0 && emptyAsNull ? null : Arg(QpArg.A, i => ToTensor(i.A, dtype)),
            first.K == 0 && emptyAsNull ? null : Arg(QpArg.B, i => ToTensor(i.B, dtype)));
    }

    public Tensor? this[QpArg arg] => arg switch
    {
        QpArg.Q => Q,
        QpArg.P => P,
        QpArg.G => G,
        QpArg.H => H,
        QpArg.A => A,
        QpArg.B => B,
        _ => throw new ArgumentOutOfRangeException(nameof(arg)),
    };

    public Tensor?[] ToArray() => [Q, P, G, H, A, B];

    public static QpTensors FromArray(IReadOnlyList<Tensor?> args) => new(args[0]!, args[1]!, args[2], args[3], args[4], args[5]);

    /// <summary>A copy with one argument replaced.</summary>
    public QpTensors With(QpArg arg, Tensor? value)
    {
        var args = ToArray();
        args[(int)arg] = value;
        return FromArray(args);
    }

    /// <summary>Detached copies, the listed arguments marked as requiring grad.</summary>
    public QpTensors Leaves(params QpArg[] requiringGrad) =>
        FromArray(AllArgs.Select(a => this[a] is { } t ? t.detach().clone().requires_grad_(requiringGrad.Contains(a)) : null).ToArray());

    public QpTensors To(ScalarType dtype) => FromArray(ToArray().Select(t => t?.to(dtype)).ToArray());

    public QpSolution Solve(QpSolverOptions? options = null) => new QpSolver(options).Solve(Q, P, G, H, A, B);

    public Tensor Apply(QpSolverOptions? options = null) => QpFunction.Apply(Q, P, G, H, A, B, options);

    public static Tensor ToTensor(Matrix<double> m, ScalarType dtype = ScalarType.Float64) =>
        tensor(m.ToRowMajorArray(), [m.RowCount, m.ColumnCount], ScalarType.Float64).to(dtype);

    public static Tensor ToTensor(Vector<double> v, ScalarType dtype = ScalarType.Float64) =>
        tensor(v.ToArray(), [v.Count], ScalarType.Float64).to(dtype);

    /// <summary>A 1-D tensor (any dtype/device) as a double vector.</summary>
    public static Vector<double> ToVector(Tensor t) => Vector<double>.Build.DenseOfArray(Values(t));

    /// <summary>The entries of a tensor in row-major order (TorchSharp's accessor throws on empty tensors).</summary>
    private static double[] Values(Tensor t) =>
        t.numel() == 0 ? [] : t.detach().to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();

    /// <summary>A 2-D tensor (any dtype/device) as a double matrix.</summary>
    public static Matrix<double> ToMatrix(Tensor t)
    {
        var values = Values(t);
        return Matrix<double>.Build.Dense((int)t.shape[0], (int)t.shape[1], (i, j) => values[i * t.shape[1] + j]);
    }
}

/// <summary>Item <c>i</c> of a <see cref="QpSolution"/> in double precision.</summary>
internal sealed record SolutionItem(SolverStatus Status, Vector<double> X, Vector<double> Lambda, Vector<double> Nu,
    double PrimalResidual, double DualResidual, double DualityGap)
{
    public static SolutionItem Of(QpSolution solution, int i) => new(
        solution.Status[i],
        QpTensors.ToVector(solution.X[i]),
        QpTensors.ToVector(solution.InequalityDuals[i]),
        QpTensors.ToVector(solution.EqualityDuals[i]),
        solution.PrimalResidual[i], solution.DualResidual[i], solution.DualityGap[i]);
}

/// <summary>Reading single items back out of (possibly broadcast) solver arguments.</summary>
internal static class QpTensorsItems
{
    /// <summary>The batch size the solver will see (1 when nothing is batched).</summary>
    public static int BatchSize(this QpTensors args) =>
        QpTensors.AllArgs.Select(a => args[a] is { } t && t.dim() == UnbatchedRank(a) + 1 ? (int)t.shape[0] : 1).Max();

    /// <summary>Item <paramref name="i"/> of the batch as the exact data the solver received, in double precision.</summary>
    public static QpInstance Item(this QpTensors args, int i)
    {
        Tensor? Pick(QpArg arg) => args[arg] is { } t ? (t.dim() == UnbatchedRank(arg) + 1 ? t[i] : t) : null;
        var q = QpTensors.ToMatrix(Pick(QpArg.Q)!);
        int n = q.ColumnCount;
        return new QpInstance(q, QpTensors.ToVector(Pick(QpArg.P)!),
            Pick(QpArg.G) is { } g ? QpTensors.ToMatrix(g) : QpInstance.Empty(n),
            Pick(QpArg.H) is { } h ? QpTensors.ToVector(h) : Vector<double>.Build.Dense(0),
            Pick(QpArg.A) is { } a ? QpTensors.ToMatrix(a) : QpInstance.Empty(n),
            Pick(QpArg.B) is { } b ? QpTensors.ToVector(b) : Vector<double>.Build.Dense(0));
    }

    /// <summary>Every argument given an explicit batch dimension of <paramref name="batch"/> (contiguous copies).</summary>
    public static QpTensors Expanded(this QpTensors args, int batch) => QpTensors.FromArray(QpTensors.AllArgs.Select(a =>
        args[a] is { } t ? (t.dim() == UnbatchedRank(a) ? t.unsqueeze(0).expand(ExpandShape(t, batch)) : t).contiguous().clone() : null).ToArray());

    public static int UnbatchedRank(QpArg arg) => arg is QpArg.Q or QpArg.G or QpArg.A ? 2 : 1;

    private static long[] ExpandShape(Tensor t, int batch) => new long[] { batch }.Concat(t.shape).ToArray();
}
