using DiffOpt.InteriorPoint;
using DiffOpt.Native;
using DiffOpt.Numerics;

namespace DiffOpt.Cones;

/// <summary>
/// The equilibration of <see cref="ConeEquilibration"/> for one item on float64 arrays: the shared sweeps of
/// <see cref="RuizKernel"/> with <see cref="RuizSettings.Cone"/> and the cost scale of <see cref="CostScale"/>, so that
/// the CPU kernel needs no batched tensor passes over A.
/// </summary>
internal static class ItemEquilibration
{
    /// <summary>
    /// The item's program with its equilibrated copy, from the original data (A m × n row-major, P n × n or null); with
    /// <paramref name="sparse"/> the sweeps read only A's and P's nonzeros (the same factors, since zeros add nothing to
    /// a maximum) and the program keeps them (and no dense A) for the stopping tests. With <paramref name="buffers"/>
    /// the equilibrated copy and the factors are written into its arrays instead of new ones.
    /// </summary>
    public static ItemProgram Create(KernelCone[] cones, int m, int n, double[] a, double[] b, double[] c, double[]? p, bool sparse = false,
        ItemWorkspace? buffers = null) =>
        sparse ? Create(cones, m, n, CompressedRows.FromDense(a, m, n), b, c, p is null ? null : CompressedRows.FromDense(p, n, n))
            : Create(cones, m, n, a, null, b, c, p, null, buffers);

    /// <summary>
    /// The item's program from A's and P's nonzeros (<paramref name="a"/>, m × n; <paramref name="p"/>, n × n or null)
    /// for the sparse KKT path: Â and P̂ keep A's and P's patterns.
    /// </summary>
    public static ItemProgram Create(KernelCone[] cones, int m, int n, CompressedRows a, double[] b, double[] c, CompressedRows? p) =>
        Create(cones, m, n, null, a, b, c, null, p, null);

    /// <summary>
    /// The equilibration of A given densely (<paramref name="dense"/>, with P dense) or by its nonzeros
    /// (<paramref name="sparseA"/>, with P by its nonzeros <paramref name="sparseP"/>).
    /// </summary>
    private static ItemProgram Create(KernelCone[] cones, int m, int n, double[]? dense, CompressedRows? sparseA, double[] b, double[] c,
        double[]? p, CompressedRows? sparseP, ItemWorkspace? buffers)
    {
        var d = buffers?.D ?? new double[m];
        var e = buffers?.E ?? new double[n];
        Factors(cones, m, n, dense, sparseA, p, sparseP, d, e);
        var sa = sparseA is null ? Scaled(dense!, d, e, buffers?.ScaledA) : null;
        var sp = p is null ? null : Scaled(p, e, e, buffers?.ScaledP);
        var scaledSparseP = sparseP?.Scaled(e, e);
        double rowMaxSum = scaledSparseP is not null ? CostScale.RowMaxSum(scaledSparseP) : sp is not null ? CostScale.RowMaxSum(sp, n) : 0;
        var scaled = new ScaledMatrices(sa, sp, d, e, rowMaxSum, sparseA?.Scaled(d, e), scaledSparseP);
        return Finish(m, n, dense, b, c, p, sparseA, sparseP, scaled, buffers);
    }

    /// <summary>
    /// Â, EPE (P̂ before the cost scale; null for P = 0), the factors D and E and EPE's sum of row maxima
    /// (<see cref="CostScale.RowMaxSum(ReadOnlySpan{double}, int)"/>): what the equilibration takes from A and P alone.
    /// </summary>
    internal sealed record ScaledMatrices(double[]? A, double[]? P, double[] D, double[] E, double PRowMaxSum, CompressedRows? SparseA = null,
        CompressedRows? SparseP = null);

    /// <summary>
    /// Ruiz's factors D (m, ones on entry) and E (n, ones on entry) of A and P (<see cref="RuizKernel"/>): they depend
    /// on A and P only, not on b nor c.
    /// </summary>
    internal static unsafe void Factors(KernelCone[] cones, int m, int n, double[]? dense, CompressedRows? sparseA, double[]? p,
        CompressedRows? sparseP, double[] d, double[] e)
    {
        Array.Fill(d, 1.0);
        Array.Fill(e, 1.0);
        fixed (double* aData = dense, pData = p, dData = d, eData = e)
        {
            // With nonzeros the sweeps never read the dense matrix (aData is then null).
            var blocks = new[] { new RuizKernel.Block(new BatchMatrices<double>(aData, 1, m, n), dData, RowGroupsOf(cones), sparseA) };
            BatchMatrices<double>? quadratic = p is null ? null : new BatchMatrices<double>(pData, 1, n, n);
            RuizKernel.Equilibrate(quadratic, blocks, n, 1, RuizSettings.Cone, eData, sparseP);
        }
    }

    /// <summary>diag(left)·M·diag(right) of the row-major <paramref name="matrix"/> (left.Length × right.Length), into <paramref name="into"/> when given.</summary>
    internal static double[] Scaled(double[] matrix, double[] left, double[] right, double[]? into)
    {
        int rows = left.Length, columns = right.Length;
        var result = into ?? new double[rows * columns];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++) result[i * columns + j] = left[i] * matrix[i * columns + j] * right[j];
        return result;
    }

    /// <summary>
    /// The item's program from its original data and the equilibration of its A and P (<paramref name="scaled"/>):
    /// b̂ = Db, the cost scale σ (<see cref="CostScale"/>: from Ec and EPE) and ĉ = σEc; P̂ = σEPE into
    /// <paramref name="buffers"/>' P̂ when <paramref name="scaled"/>'s EPE is not the item's own (<paramref name="shared"/>).
    /// </summary>
    internal static ItemProgram Finish(int m, int n, double[]? dense, double[] b, double[] c, double[]? p, CompressedRows? sparseA,
        CompressedRows? sparseP, ScaledMatrices scaled, ItemWorkspace? buffers, BatchEquilibration? shared = null)
    {
        var (d, e) = (scaled.D, scaled.E);
        var sb = buffers?.ScaledB ?? new double[m];
        for (int i = 0; i < m; i++) sb[i] = d[i] * b[i];
        var ec = buffers?.ScaledC ?? new double[n];
        for (int j = 0; j < n; j++) ec[j] = e[j] * c[j];
        double sigma = CostScale.Of(ec, scaled.PRowMaxSum, scaled.P is not null || scaled.SparseP is not null, RuizSettings.Cone);
        for (int j = 0; j < n; j++) ec[j] *= sigma;
        var sp = scaled.P;
        if (sp is not null && shared is not null)
        {
            var own = buffers?.ScaledP ?? new double[n * n];
            for (int k = 0; k < sp.Length; k++) own[k] = sp[k] * sigma;
            sp = own;
        }
        else if (sp is not null)
            for (int k = 0; k < sp.Length; k++) sp[k] *= sigma;
        if (scaled.SparseP is { } scaledSparseP)
            for (int k = 0; k < scaledSparseP.Values.Length; k++) scaledSparseP.Values[k] *= sigma;
        return new ItemProgram(m, n, dense, b, c, p, scaled.A, sb, ec, sp, d, e, sigma, sparseA, sparseP, scaled.SparseA, scaled.SparseP, shared);
    }

    /// <summary>The rows sharing a factor: each second-order and PSD block and each exponential triple.</summary>
    private static RowGroups RowGroupsOf(KernelCone[] cones) => new(cones
        .Select(cone => cone switch
        {
            KernelSecondOrderCone or KernelPsdCone => new RowGroupRun(cone.Offset, cone.Rows, 1),
            KernelExponentialCone => new RowGroupRun(cone.Offset, 3, cone.Rows / 3),
            _ => new RowGroupRun(cone.Offset, 1, 0),
        })
        .ToArray());
}
