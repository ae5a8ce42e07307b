using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.InteriorPoint;
using DiffOpt.Native;
using DiffOpt.Numerics;

namespace DiffOpt.Qp;

/// <summary>
/// The residuals of a returned solution, on the original (unscaled) data, as a user (or qpbenchmark) computes them:
/// <code>
///   primal = max(‖Az − b‖∞, ‖max(Gz − h, 0)‖∞)
///   dual   = ‖Qz + p + Gᵀλ + Aᵀν‖∞
///   gap    = |zᵀQz + pᵀz + hᵀλ + bᵀν|
/// </code>
/// Each comes with its rounding noise. Both forms, the CPU kernel (<see cref="SolutionResidualsKernel"/>) and the
/// batched tensor form other devices run (<see cref="CompensatedTensors"/>), sum with compensation, so the noise is
/// ε·|residual| plus γ² times the magnitude of the terms summed (for example ‖|Q||z| + |p| + |G|ᵀ|λ| + |A|ᵀ|ν|‖∞).
/// A residual below its noise cannot be told from zero in floating point, so a tolerance counts as met only when
/// residual + noise is within it: the status never claims an accuracy the arithmetic cannot show.
/// </summary>
internal sealed record SolutionResiduals
{
    private ResidualMeasures? _norms;
    private Tensor? _primalNoise, _dualNoise, _gapNoise;

    /// <summary>Residuals with their measures and noises given as tensors (B,).</summary>
    public SolutionResiduals(ResidualMeasures Norms, Tensor PrimalNoise, Tensor DualNoise, Tensor GapNoise) =>
        (_norms, _primalNoise, _dualNoise, _gapNoise) = (Norms, PrimalNoise, DualNoise, GapNoise);

    /// <summary>
    /// Residuals that are the columns of the kernel's <paramref name="table"/>. The column views are made when first
    /// read: the verdicts read the table on the host, so most checks need none of them.
    /// </summary>
    private SolutionResiduals(Tensor table) => _table = table;

    /// <summary>The three measures with their normalisers.</summary>
    public ResidualMeasures Norms { get => Column(ref _norms); init => _norms = value; }

    /// <summary>Rounding noise of the primal measure.</summary>
    public Tensor PrimalNoise { get => Column(ref _primalNoise); init => _primalNoise = value; }

    /// <summary>Rounding noise of the dual measure.</summary>
    public Tensor DualNoise { get => Column(ref _dualNoise); init => _dualNoise = value; }

    /// <summary>Rounding noise of the duality gap.</summary>
    public Tensor GapNoise { get => Column(ref _gapNoise); init => _gapNoise = value; }

    /// <summary>
    /// Per item, the primal, dual and gap measures on the host (float64), read from a float64 table without tensors
    /// when there is one.
    /// </summary>
    public (double[] Primal, double[] Dual, double[] Gap) HostMeasures()
    {
        if (SolutionVerdicts.Serve(Table)) return SolutionVerdicts.Measures(Table!);
        var host = stack(new[] { Norms.Primal, Norms.Dual, Norms.Gap }).to_type(ScalarType.Float64).cpu();
        double[] Row(int index) => host[index].data<double>().ToArray();
        return (Row(0), Row(1), Row(2));
    }

    private T Column<T>(ref T? field) where T : class
    {
        if (field is null)
        {
            // One native call for the columns.
            var columns = Table!.unbind(1);
            Tensor M(SolutionResidualsKernel.Measure measure) => columns[(int)measure];
            _norms = new ResidualMeasures(M(SolutionResidualsKernel.Measure.Primal), M(SolutionResidualsKernel.Measure.Dual),
                M(SolutionResidualsKernel.Measure.Gap), M(SolutionResidualsKernel.Measure.PrimalScale),
                M(SolutionResidualsKernel.Measure.DualScale), M(SolutionResidualsKernel.Measure.GapScale));
            (_primalNoise, _dualNoise, _gapNoise) = (M(SolutionResidualsKernel.Measure.PrimalNoise), M(SolutionResidualsKernel.Measure.DualNoise),
                M(SolutionResidualsKernel.Measure.GapNoise));
        }
        return field!;
    }

    /// <summary>
    /// Residuals of (z, λ, ν) for the items of <paramref name="problem"/> at batch positions <paramref name="rows"/>
    /// (all items when null). On the CPU they are evaluated in <see cref="SolutionResidualsKernel"/> unless
    /// <paramref name="useKernel"/> is false.
    /// </summary>
    public static SolutionResiduals Evaluate(QpProblem problem, Tensor z, Tensor lambda, Tensor nu, Tensor? rows = null, bool useKernel = true)
    {
        if (useKernel && KernelApplies(problem, z, lambda, nu))
            return EvaluateWithKernel(problem, z, lambda, nu, rows ?? ScalarSafeOperations.Range(z.size(0), ScalarType.Int64));
        Tensor Rows(Tensor t) => rows is null ? t : t.index_select(0, rows);
        Tensor Items(Tensor t) => rows is null ? t : Batched.SelectItems(t, rows);
        var q = Items(problem.Q); var g = Items(problem.G); var a = Items(problem.A);
        var magnitudes = problem.Magnitudes;
        var absQ = Items(magnitudes.Q); var absG = Items(magnitudes.G); var absA = Items(magnitudes.A);
        var p = Rows(problem.P); var h = Rows(problem.H); var b = Rows(problem.Bvec);
        double eps = NumericLimits.For(z.dtype).MachineEpsilon;

        // The same sums as the kernel, compensated in tensor form (CompensatedTensors).
        var qz = CompensatedTensors.RowTimes(z, q);
        var gz = CompensatedTensors.RowTimes(z, g.transpose(-1, -2));
        var az = CompensatedTensors.RowTimes(z, a.transpose(-1, -2));
        var force = CompensatedTensors.RowTimes(lambda, g) + CompensatedTensors.RowTimes(nu, a);
        var stationarity = (qz + force + p).Value;
        var zQz = CompensatedTensors.Dot(z, qz.Hi);
        var pz = CompensatedTensors.Dot(p, z);
        var hl = CompensatedTensors.Dot(h, lambda);
        var bn = CompensatedTensors.Dot(b, nu);
        var gap = ((zQz + pz + hl + bn) + Batched.Dot(z, qz.Lo)).Value.abs();

        var absZ = z.abs();
        var absQz = Batched.RowTimes(absZ, absQ);
        var primal = maximum(Batched.InfNorm((az - b).Value), Batched.InfNorm((gz - h).Value.AtLeast(0L)));
        var dual = Batched.InfNorm(stationarity);
        var one = ones_like(gap);
        var norms = new ResidualMeasures(primal, dual, gap,
            PrimalScale: Batched.Max(one, Batched.InfNorm(az.Hi), Batched.InfNorm(b), Batched.InfNorm(gz.Hi), Batched.InfNorm(h)),
            DualScale: Batched.Max(one, Batched.InfNorm(qz.Hi), Batched.InfNorm(p), Batched.InfNorm(force.Hi)),
            GapScale: Batched.Max(one, zQz.Hi.abs(), pz.Hi.abs(), hl.Hi.abs(), bn.Hi.abs()));

        // Dot2's bound (as in the kernel): ε·|measure| + γ²·(the magnitude of its terms), γ = Nε for the longest sum.
        double longest = problem.VariableCount + problem.InequalityCount + problem.EqualityCount + 2.0;
        double gammaSquared = (longest * eps) * (longest * eps);
        var primalMagnitude = maximum(
            Batched.InfNorm(Batched.RowTimes(absZ, absA.transpose(-1, -2)).Plus(b.abs())),
            Batched.InfNorm(Batched.RowTimes(absZ, absG.transpose(-1, -2)).Plus(h.abs())));
        var dualMagnitude = Batched.InfNorm(absQz.Plus(p.abs()).Plus(Batched.RowTimes(lambda.abs(), absG)).Plus(Batched.RowTimes(nu.abs(), absA)));
        var gapMagnitude = Batched.Dot(absZ, absQz).Plus(Batched.Dot(p.abs(), absZ)).Plus(Batched.Dot(h.abs(), lambda.abs())).Plus(Batched.Dot(b.abs(), nu.abs()));
        Tensor Noise(Tensor measure, Tensor magnitude) => measure.Times(eps).Plus(magnitude.Times(gammaSquared));
        return new SolutionResiduals(norms,
            PrimalNoise: Noise(primal, primalMagnitude),
            DualNoise: Noise(dual, dualMagnitude),
            GapNoise: Noise(gap, gapMagnitude));
    }

    private static bool KernelApplies(QpProblem problem, params Tensor[] point)
    {
        var dtype = problem.DType;
        // Layouts do not matter: EvaluateWithKernel reads contiguous copies of whatever is not contiguous (a shared h
        // or b is a stride-0 expansion, and a network's p may be a view).
        return NativeLapack.Serves(problem.Q)
               && new[] { problem.Q, problem.G, problem.A, problem.P, problem.H, problem.Bvec }.All(t => t.dtype == dtype)
               && point.All(t => t.dtype == dtype && t.device_type == DeviceType.CPU);
    }

    private static unsafe SolutionResiduals EvaluateWithKernel(QpProblem problem, Tensor z, Tensor lambda, Tensor nu, Tensor rows)
    {
        var (zc, lc, nc) = (Dense.Of(z), Dense.Of(lambda), Dense.Of(nu));
        var data = new[] { problem.Q, problem.G, problem.A, problem.P, problem.H, problem.Bvec }.Select(t => Dense.Of(t)).ToArray();
        var indices = Dense.Of(rows.dtype == ScalarType.Int64 && rows.device_type == DeviceType.CPU ? rows : rows.to_type(ScalarType.Int64).cpu());
        long items = zc.size(0);
        var dtype = problem.DType;
        int count = (int)SolutionResidualsKernel.Measure.Count;
        var result = empty(items, count, dtype: dtype);
        double eps = NumericLimits.For(dtype).MachineEpsilon;
        var scratchLength = checked((int)(items * SolutionResidualsKernel.ScratchPerItem(problem.VariableCount)));
        long* rowPointer = NativeLapack.Data<long>(indices);
        if (dtype == ScalarType.Float64)
            Fill(KernelData<double>(data), rowPointer, items, NativeLapack.Data<double>(zc), NativeLapack.Data<double>(lc), NativeLapack.Data<double>(nc),
                eps, NativeLapack.Data<double>(result), scratchLength);
        else
            Fill(KernelData<float>(data), rowPointer, items, NativeLapack.Data<float>(zc), NativeLapack.Data<float>(lc), NativeLapack.Data<float>(nc),
                (float)eps, NativeLapack.Data<float>(result), scratchLength);
        GC.KeepAlive(zc); GC.KeepAlive(lc); GC.KeepAlive(nc); GC.KeepAlive(indices); GC.KeepAlive(data);

        return new SolutionResiduals(result);
    }

    /// <summary>Runs the kernel with its scratch in a pooled managed array (a tensor would cost a libtorch result per call).</summary>
    private static unsafe void Fill<T>(SolutionResidualsKernel.Data<T> data, long* rows, long items, T* z, T* lambda, T* nu, T epsilon, T* result, int scratchLength)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var scratch = System.Buffers.ArrayPool<T>.Shared.Rent(scratchLength);
        try
        {
            fixed (T* s = scratch) SolutionResidualsKernel.Evaluate(data, rows, items, z, lambda, nu, epsilon, result, s);
        }
        finally
        {
            System.Buffers.ArrayPool<T>.Shared.Return(scratch);
        }
    }

    /// <summary>The kernel's view of contiguous Q, G, A, p, h, b (in that order).</summary>
    private static unsafe SolutionResidualsKernel.Data<T> KernelData<T>(Tensor[] data) where T : unmanaged =>
        new(BatchMatrices<T>.Of(data[0]), BatchMatrices<T>.Of(data[1]), BatchMatrices<T>.Of(data[2]),
            NativeLapack.Data<T>(data[3]), NativeLapack.Data<T>(data[4]), NativeLapack.Data<T>(data[5]));

    /// <summary>
    /// True per item where some measure misses the tolerance (residual + noise above it) while its noise alone
    /// exceeds half of it: iterating further cannot show the tolerance in floating point.
    /// </summary>
    public Tensor NoiseLimited(SolverTolerances tol)
    {
        if (SolutionVerdicts.Serve(Table)) return SolutionVerdicts.NoiseLimited(Table!, tol);
        Tensor Limited(Tensor residual, Tensor noise, Tensor scale)
        {
            var limit = ResidualMeasures.Limit(scale, tol);
            return (residual.Plus(noise) > limit) & (noise > limit.Times(0.5));
        }
        return Limited(Norms.Primal, PrimalNoise, Norms.PrimalScale) | Limited(Norms.Dual, DualNoise, Norms.DualScale)
               | Limited(Norms.Gap, GapNoise, Norms.GapScale);
    }

    /// <summary>True per item where each residual plus its noise is within tolerance × <paramref name="factor"/> (absolute, or relative to its scale).</summary>
    public Tensor Meets(SolverTolerances tol, double factor = 1.0) =>
        SolutionVerdicts.Serve(Table) ? SolutionVerdicts.Meets(Table!, tol, factor) : WithNoise().Meets(tol, factor);

    /// <summary>Per item, the largest (residual + noise) / limit over the three measures: at most 1 exactly where <see cref="Meets"/> holds.</summary>
    public Tensor WorstRatio(SolverTolerances tol) =>
        SolutionVerdicts.Serve(Table) ? SolutionVerdicts.WorstRatio(Table!, tol) : WithNoise().WorstRatio(tol);

    /// <summary>
    /// The kernel's (items, <see cref="SolutionResidualsKernel.Measure.Count"/>) table that the measures are columns of,
    /// or null (tensor form); a float64 table serves the verdicts on the host (<see cref="SolutionVerdicts"/>).
    /// </summary>
    public Tensor? Table
    {
        get => _table;
        init
        {
            // A copy without the table (`with { Table = null }`) keeps the columns as tensors.
            if (value is null && _table is not null) Column(ref _norms);
            _table = value;
        }
    }

    private readonly Tensor? _table;

    /// <summary>Per item: these residuals where <paramref name="keep"/> (B,) is true, <paramref name="other"/>'s elsewhere.</summary>
    public SolutionResiduals Where(Tensor keep, SolutionResiduals other) => new(Norms.Where(keep, other.Norms),
        where(keep, PrimalNoise, other.PrimalNoise), where(keep, DualNoise, other.DualNoise), where(keep, GapNoise, other.GapNoise));

    private ResidualMeasures WithNoise() =>
        Norms with { Primal = Norms.Primal.Plus(PrimalNoise), Dual = Norms.Dual.Plus(DualNoise), Gap = Norms.Gap.Plus(GapNoise) };
}
