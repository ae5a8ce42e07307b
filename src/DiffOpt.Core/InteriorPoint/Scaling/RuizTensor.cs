using static TorchSharp.torch;
using DiffOpt.Native;
using DiffOpt.Numerics;

namespace DiffOpt.InteriorPoint;

/// <summary>
/// The shared Ruiz equilibration of a batch of problems with an optional quadratic term P (n × n) and blocks of
/// constraint rows M_k (rows_k × n): column factors E (B, n) and row factors D_k (B, rows_k), so that every column
/// and row of E P E and D_k M_k E has infinity norm close to 1. Either the per-item CPU kernel
/// (<see cref="RuizKernel"/>) or batched tensor sweeps (any device) compute the factors; both stop each item on its
/// own, so an item's scaling does not depend on its companions.
/// </summary>
internal static class RuizTensor
{
    /// <summary>
    /// The factors of the (B or 1, ·, n) matrices <paramref name="p"/> (null for P = 0) and
    /// <paramref name="blocks"/> for <paramref name="items"/> items, in the dtype of <paramref name="like"/>; rounded to
    /// powers of two when the settings ask. The kernel path needs CPU data and computes in float64.
    /// </summary>
    public static (Tensor Columns, Tensor[] Rows) Factors(Tensor? p, IReadOnlyList<(Tensor Matrix, RowGroups Groups)> blocks, long n,
        long items, RuizSettings settings, Tensor like, bool useKernel)
    {
        var (columns, rows) = settings.Sweeps == 0 ? Identity(blocks, n, items, like)
            : useKernel ? KernelFactors(p, blocks, n, items, settings, like)
            : TensorFactors(p, blocks, n, items, settings, like);
        if (settings.Sweeps > 0 && settings.PowersOfTwo)
            (columns, rows) = (NearestPowerOfTwo(columns), rows.Select(NearestPowerOfTwo).ToArray());
        return (columns, rows);
    }

    /// <summary>
    /// 2^round(log₂ f): scaling by powers of two is exact, so the scaled problem is the original one with shifted
    /// exponents and its residuals are the original residuals under exact (diagonal) maps; arbitrary factors would
    /// round every scaled entry and put an error of ε·|terms| into residuals the solver drives below it. The
    /// equilibration it gives up is at most a factor of √2 per factor.
    /// </summary>
    public static Tensor NearestPowerOfTwo(Tensor factors) => factors.log2().round().exp2();

    /// <summary>
    /// diag(left)·M·diag(right) per item, each entry as (left_r·M_rc)·right_c; M may be shared (batch 1). On CPU float32
    /// or float64 data one kernel pass reads M and writes the result (<see cref="RuizKernel.ScaleRowsAndColumns{T}"/>),
    /// where the tensor form makes two passes and a temporary of M's size; both give the same bits. The kernel runs
    /// only when <paramref name="useKernel"/> and the data allow it; it writes to <paramref name="destination"/> (contiguous,
    /// of the result's shape and dtype) when one is given.
    /// </summary>
    public static unsafe Tensor Scaled(Tensor matrix, Tensor left, Tensor right, bool useKernel = true, Tensor? destination = null)
    {
        if (!useKernel || !NativeLapack.Serves(matrix) || !NativeLapack.Serves(left))
            return left.unsqueeze(-1) * matrix * right.unsqueeze(-2);
        var source = matrix.contiguous();
        var (l, r) = (left.to_type(matrix.dtype).contiguous(), right.to_type(matrix.dtype).contiguous());
        var result = destination ?? empty(left.size(0), matrix.size(1), matrix.size(2), dtype: matrix.dtype);
        if (matrix.dtype == ScalarType.Float64)
            RuizKernel.ScaleRowsAndColumns(BatchMatrices<double>.Of(source), left.size(0), NativeLapack.Data<double>(l), NativeLapack.Data<double>(r), NativeLapack.Data<double>(result));
        else
            RuizKernel.ScaleRowsAndColumns(BatchMatrices<float>.Of(source), left.size(0), NativeLapack.Data<float>(l), NativeLapack.Data<float>(r), NativeLapack.Data<float>(result));
        GC.KeepAlive(source); GC.KeepAlive(l); GC.KeepAlive(r);
        return result;
    }

    private static (Tensor Columns, Tensor[] Rows) Identity(IReadOnlyList<(Tensor Matrix, RowGroups Groups)> blocks, long n, long items, Tensor like) =>
        (ones(items, n, like.dtype, like.device), blocks.Select(block => ones(items, block.Matrix.size(1), like.dtype, like.device)).ToArray());

    /// <summary>The factors from <see cref="RuizKernel"/>, computed in float64 and returned in <paramref name="like"/>'s dtype.</summary>
    private static unsafe (Tensor Columns, Tensor[] Rows) KernelFactors(Tensor? p, IReadOnlyList<(Tensor Matrix, RowGroups Groups)> blocks,
        long n, long items, RuizSettings settings, Tensor like)
    {
        // The kernel takes the magnitudes as it reads the entries, so |P| and |M_k| are never formed.
        static Tensor AsDouble(Tensor t) => t.to_type(ScalarType.Float64).contiguous();
        var quadratic = p is null ? null : AsDouble(p);
        var matrices = blocks.Select(block => AsDouble(block.Matrix)).ToArray();
        var columns = ones(items, n, ScalarType.Float64);
        var rows = blocks.Select(block => ones(items, block.Matrix.size(1), ScalarType.Float64)).ToArray();
        var kernelBlocks = blocks.Select((block, k) =>
            new RuizKernel.Block(BatchMatrices<double>.Of(matrices[k]), NativeLapack.Data<double>(rows[k]), block.Groups)).ToArray();
        RuizKernel.Equilibrate(quadratic is null ? null : BatchMatrices<double>.Of(quadratic), kernelBlocks, checked((int)n), items, settings,
            NativeLapack.Data<double>(columns));
        GC.KeepAlive(quadratic); GC.KeepAlive(matrices); GC.KeepAlive(rows);
        return (columns.to_type(like.dtype), rows.Select(r => r.to_type(like.dtype)).ToArray());
    }

    /// <summary>The factors from batched tensor sweeps; each item stops once it has converged, as in the kernel.</summary>
    private static (Tensor Columns, Tensor[] Rows) TensorFactors(Tensor? p, IReadOnlyList<(Tensor Matrix, RowGroups Groups)> blocks,
        long n, long items, RuizSettings settings, Tensor like)
    {
        var (columns, rows) = Identity(blocks, n, items, like);
        var absP = p?.abs();
        var absM = blocks.Select(block => block.Matrix.abs()).ToArray();
        // Work buffers, rewritten in place each sweep: the matrices are the large tensors of a batch, and fresh
        // allocations of their size cost more in page faults than the arithmetic.
        var workP = absP is null ? null : empty_like(Batched.ExpandBatch(absP, items));
        var workM = absM.Select(m => empty_like(Batched.ExpandBatch(m, items))).ToArray();
        Tensor Scaled(Tensor work, Tensor magnitude, Tensor factors) => work.copy_(Batched.ExpandBatch(magnitude, items)).mul_(factors);
        var active = ones(items, dtype: ScalarType.Bool, device: columns.device);
        for (int sweep = 0; sweep < settings.Sweeps; sweep++)
        {
            // Both norms of D M E come from its entries (d_i |M_ij|) e_j, as in the kernel; column j of E P E has norm
            // e_j max_i e_i |P_ij|.
            var columnNorms = new List<Tensor>();
            if (absP is not null) columnNorms.Add(columns * Batched.ColumnInfNorms(Scaled(workP!, absP, columns.unsqueeze(-1))));
            var rowNorms = new Tensor[absM.Length];
            for (int k = 0; k < absM.Length; k++)
            {
                var entries = Scaled(workM[k], absM[k], rows[k].unsqueeze(-1)).mul_(columns.unsqueeze(-2));
                columnNorms.Add(Batched.ColumnInfNorms(entries));
                rowNorms[k] = Batched.RowInfNorms(entries);
            }
            var columnRoot = columnNorms.Count == 0 ? ones_like(columns) : Root(Batched.Max([.. columnNorms]), RowGroups.Singletons, settings);
            var rowRoots = rowNorms.Select((norms, k) => Root(norms, blocks[k].Groups, settings)).ToArray();
            // Items that converged in an earlier sweep keep their factors, as in the kernel, so that an item's scaling
            // does not depend on how long its companions need.
            var moving = active.unsqueeze(-1);
            columns = where(moving, columns / columnRoot, columns);
            for (int k = 0; k < rows.Length; k++) rows[k] = where(moving, rows[k] / rowRoots[k], rows[k]);
            var change = Batched.Max([Change(columnRoot), .. rowRoots.Select(Change)]);
            active = active & change.GreaterThan(settings.ConvergedChange);
            if (!active.any().item<bool>()) break;
        }
        return (columns, rows);
    }

    /// <summary>√ of the limited norms, a group's mean for its rows (<see cref="RuizSettings.Limit(Tensor)"/>): each factor is divided by it.</summary>
    private static Tensor Root(Tensor norms, RowGroups groups, RuizSettings settings) => groups.Average(settings.Limit(norms)).sqrt();

    /// <summary>Per item, the largest |1/root − 1|: how far the sweep moved a factor.</summary>
    private static Tensor Change(Tensor roots) => Batched.InfNorm(roots.reciprocal().Minus(1L).flatten(1));
}
