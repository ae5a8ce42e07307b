using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.InteriorPoint;
using DiffOpt.Native;
using DiffOpt.Numerics;

namespace DiffOpt.Qp;

/// <summary>
/// Optimality residuals of an iterate, in the scaled space, with their unscaled norms per item:
/// <code>
///   rx = −(Px + c + Aᵀy + Gᵀz)     dual residual
///   ry = b − Ax                     equality residual
///   rz = h − Gx − s                 inequality residual (with slack)
///   gap = |xᵀPx + cᵀx + bᵀy + hᵀz|  duality gap
/// </code>
/// with their unscaled norms (<see cref="ResidualMeasures"/>).
/// </summary>
internal sealed record QpResiduals
{
    private ResidualMeasures? _norms;

    /// <summary>Residuals with their measures given as tensors (B,).</summary>
    public QpResiduals(Tensor Rx, Tensor Ry, Tensor Rz, ResidualMeasures Norms) => (this.Rx, this.Ry, this.Rz, _norms) = (Rx, Ry, Rz, Norms);

    /// <summary>
    /// Residuals whose measures are the rows of the kernel's table <paramref name="measureTable"/>; <see cref="Norms"/>
    /// makes its columns when first read (the iteration reads the table itself, which saves six tensors per step).
    /// </summary>
    private QpResiduals(Tensor rx, Tensor ry, Tensor rz, Tensor measureTable) => (Rx, Ry, Rz, MeasureTable) = (rx, ry, rz, measureTable);

    /// <summary>rx = −(Px + c + Aᵀy + Gᵀz), (B,n).</summary>
    public Tensor Rx { get; init; }

    /// <summary>ry = b − Ax, (B,p).</summary>
    public Tensor Ry { get; init; }

    /// <summary>rz = h − Gx − s, (B,m).</summary>
    public Tensor Rz { get; init; }

    /// <summary>The unscaled norms per item (columns of <see cref="MeasureTable"/> when there is one).</summary>
    public ResidualMeasures Norms
    {
        get => _norms ??= Columns(MeasureTable!);
        init => _norms = value;
    }

    /// <summary>The residuals of the items at <paramref name="index"/> (1-D int64 batch positions).</summary>
    public QpResiduals Select(Tensor index) =>
        new(Rx.index_select(0, index), Ry.index_select(0, index), Rz.index_select(0, index), Norms.Select(index));

    /// <summary>
    /// The kernel's (B, <see cref="ScaledResidualsKernel.Measure.Count"/>) table of the measures (contiguous, CPU) that
    /// <see cref="Norms"/> are columns of; null when the batched form computed them.
    /// </summary>
    public Tensor? MeasureTable { get; init; }

    /// <summary>Every tensor of the residuals (of the measures, those made so far).</summary>
    public IEnumerable<Tensor> Tensors() =>
        new[] { Rx, Ry, Rz }.Concat(_norms?.Tensors() ?? []).Concat(MeasureTable is null ? [] : [MeasureTable]);

    /// <summary>The measures as columns of a kernel table (B, <see cref="ScaledResidualsKernel.Measure.Count"/>), one native call for the six.</summary>
    internal static ResidualMeasures Columns(Tensor table)
    {
        var m = table.unbind(1);
        Tensor M(ScaledResidualsKernel.Measure measure) => m[(int)measure];
        return new ResidualMeasures(M(ScaledResidualsKernel.Measure.Primal), M(ScaledResidualsKernel.Measure.Dual),
            M(ScaledResidualsKernel.Measure.Gap), M(ScaledResidualsKernel.Measure.PrimalScale), M(ScaledResidualsKernel.Measure.DualScale),
            M(ScaledResidualsKernel.Measure.GapScale));
    }

    /// <summary>
    /// False only when no item can meet <paramref name="tol"/> by <see cref="ResidualMeasures.Meets(SolverTolerances, double)"/>:
    /// read on the host from <see cref="MeasureTable"/> with a margin of 2 on the tolerances (so that the tensor form's
    /// rounding cannot differ), which saves the batched test in the iterations where nothing converges. True when
    /// there is no table.
    /// </summary>
    public bool MayMeet(SolverTolerances tol)
    {
        if (MeasureTable is not { } table) return true;
        return table.dtype == ScalarType.Float64 ? AnyMeets<double>(table, tol) : AnyMeets<float>(table, tol);
    }

    /// <summary>
    /// <see cref="ResidualMeasures.Meets(SolverTolerances, double)"/> of <see cref="Norms"/>, read on the host from a
    /// float64 <see cref="MeasureTable"/> (the same comparisons in the same precision: one tensor instead of about twenty).
    /// </summary>
    public Tensor Meets(SolverTolerances tol)
    {
        if (MeasureTable is not { } table || !SolutionVerdicts.Serve(table)) return Norms.Meets(tol);
        var meets = new bool[table.size(0)];
        HostMeets(table, tol, meets);
        return HostTensors.Of(meets);
    }

    private static unsafe void HostMeets(Tensor table, SolverTolerances tol, bool[] meets)
    {
        double* row = NativeLapack.Data<double>(table);
        int count = (int)ScaledResidualsKernel.Measure.Count;
        for (long i = 0; i < meets.Length; i++, row += count)
        {
            double Measure(ScaledResidualsKernel.Measure m) => row[(int)m];
            meets[i] = ResidualMeasures.Meets((Measure(ScaledResidualsKernel.Measure.Primal), Measure(ScaledResidualsKernel.Measure.Dual),
                Measure(ScaledResidualsKernel.Measure.Gap), Measure(ScaledResidualsKernel.Measure.PrimalScale),
                Measure(ScaledResidualsKernel.Measure.DualScale), Measure(ScaledResidualsKernel.Measure.GapScale)), tol);
        }
        GC.KeepAlive(table);
    }

    private static unsafe bool AnyMeets<T>(Tensor table, SolverTolerances tol) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        const double Margin = 2.0;
        T* row = NativeLapack.Data<T>(table);
        long batch = table.size(0), count = (long)ScaledResidualsKernel.Measure.Count;
        for (long i = 0; i < batch; i++, row += count)
        {
            double Measure(ScaledResidualsKernel.Measure m) => double.CreateTruncating(row[(int)m]);
            var measures = (Measure(ScaledResidualsKernel.Measure.Primal), Measure(ScaledResidualsKernel.Measure.Dual), Measure(ScaledResidualsKernel.Measure.Gap),
                Measure(ScaledResidualsKernel.Measure.PrimalScale), Measure(ScaledResidualsKernel.Measure.DualScale), Measure(ScaledResidualsKernel.Measure.GapScale));
            if (ResidualMeasures.Meets(measures, tol, Margin)) return true;
        }
        GC.KeepAlive(table);
        return false;
    }

    /// <summary>
    /// Evaluates the residuals of <paramref name="it"/> for the scaled problem <paramref name="qp"/>; on the CPU in
    /// <see cref="ScaledResidualsKernel"/> unless <paramref name="useKernel"/> is false.
    /// </summary>
    public static QpResiduals Evaluate(ScaledQp qp, ResidualNormalizer norm, QpIterate it, bool useKernel = true)
    {
        using var phase = PhaseTimer.Measure("residuals", it.X.size(0));
        if (useKernel && KernelApplies(qp, norm, it)) return EvaluateWithKernel(qp, norm, it);
        var (px, ax, gx, constraintForce) = qp.ResidualProducts(it.X, it.Y, it.Z);

        var rx = -(px.Plus(qp.C).Plus(constraintForce));
        var ry = qp.B - ax;
        var rz = qp.H - gx - it.S;

        var xPx = Batched.Dot(it.X, px);
        var cx = Batched.Dot(qp.C, it.X);
        var by = Batched.Dot(qp.B, it.Y);
        var hz = Batched.Dot(qp.H, it.Z);

        var one = ones_like(xPx);
        return new QpResiduals(rx, ry, rz, new ResidualMeasures(
            Primal: Batched.InfNorm(cat(new[] { ry, rz }, -1) * norm.InverseE),
            Dual: Batched.InfNorm(rx * norm.InverseD),
            Gap: xPx.Plus(cx).Plus(by).Plus(hz).abs(),
            PrimalScale: Batched.Max(one, norm.DataPrimalScale,
                Batched.InfNorm(cat(new[] { ax, gx }, -1) * norm.InverseE), Batched.InfNorm(it.S * norm.InverseEG)),
            DualScale: Batched.Max(one, norm.DataDualScale,
                Batched.InfNorm(px * norm.InverseD), Batched.InfNorm(constraintForce * norm.InverseD)),
            GapScale: Batched.Max(one, xPx.abs(), cx.abs(), by.abs(), hz.abs())));
    }

    private static bool KernelApplies(ScaledQp qp, ResidualNormalizer norm, QpIterate it)
    {
        var dtype = qp.P.dtype;
        var perItem = new[] { qp.C, qp.B, qp.H, norm.InverseD, norm.InverseE, norm.DataPrimalScale, norm.DataDualScale, it.X, it.Y, it.Z, it.S };
        return qp.UsesKernel && perItem.All(t => t.dtype == dtype && t.size(0) == qp.BatchSize && t.device_type == DeviceType.CPU)
               && new[] { qp.C, qp.B, qp.H, norm.InverseD, norm.InverseE, norm.DataPrimalScale, norm.DataDualScale }.All(t => t.is_contiguous());
    }

    private static QpResiduals EvaluateWithKernel(ScaledQp qp, ResidualNormalizer norm, QpIterate it)
    {
        var point = new QpIterate(Dense.Of(it.X), Dense.Of(it.Y), Dense.Of(it.Z), Dense.Of(it.S));
        var (rx, ry, rz) = (empty_like(point.X), empty_like(point.Y), empty_like(point.Z));
        var measures = empty(qp.BatchSize, (int)ScaledResidualsKernel.Measure.Count, dtype: qp.P.dtype);
        if (qp.P.dtype == ScalarType.Float64) Fill<double>(qp, norm, point, rx, ry, rz, measures);
        else Fill<float>(qp, norm, point, rx, ry, rz, measures);
        GC.KeepAlive(point);
        return new QpResiduals(rx, ry, rz, measures);
    }

    /// <summary>Runs the kernel with its scratch in a pooled managed array (a tensor would cost a libtorch result per call).</summary>
    private static unsafe void Fill<T>(ScaledQp qp, ResidualNormalizer norm, QpIterate point, Tensor rx, Tensor ry, Tensor rz, Tensor measures)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var scratch = System.Buffers.ArrayPool<T>.Shared.Rent(checked((int)(qp.BatchSize * ScaledResidualsKernel.ScratchPerItem(qp.N, qp.EqualityCount, qp.InequalityCount))));
        try
        {
            fixed (T* s = scratch)
                ScaledResidualsKernel.Evaluate(KernelProblem<T>(qp, norm), qp.BatchSize, BatchPoint<T>.Of(point),
                    NativeLapack.Data<T>(rx), NativeLapack.Data<T>(ry), NativeLapack.Data<T>(rz), NativeLapack.Data<T>(measures), s);
        }
        finally
        {
            System.Buffers.ArrayPool<T>.Shared.Return(scratch);
        }
    }

    private static unsafe ScaledResidualsKernel.Problem<T> KernelProblem<T>(ScaledQp qp, ResidualNormalizer norm) where T : unmanaged =>
        new(BatchMatrices<T>.Of(qp.P), BatchMatrices<T>.Of(qp.A), BatchMatrices<T>.Of(qp.G), NativeLapack.Data<T>(qp.C), NativeLapack.Data<T>(qp.B), NativeLapack.Data<T>(qp.H),
            NativeLapack.Data<T>(norm.InverseD), NativeLapack.Data<T>(norm.InverseE), NativeLapack.Data<T>(norm.DataPrimalScale), NativeLapack.Data<T>(norm.DataDualScale));
}
