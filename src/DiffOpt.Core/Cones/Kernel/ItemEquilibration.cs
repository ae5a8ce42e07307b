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
    private static unsafe ItemProgram Create(KernelCone[] cones, int m, int n, double[]? dense, CompressedRows? sparseA, double[] b, double[] c,
        double[]? p, CompressedRows? sparseP, ItemWorkspace? buffers)
    {
        var settings = RuizSettings.Cone;
        var d = buffers?.D ?? new double[m];
        var e = buffers?.E ?? new double[n];
        Array.Fill(d, 1.0);
        Array.Fill(e, 1.0);
        fixed (double* aData = dense, pData = p, dData = d, eData = e)
        {
            // With nonzeros the sweeps never read the dense matrix (aData is then null).
            var blocks = new[] { new RuizKernel.Block(new BatchMatrices<double>(aData, 1, m, n), dData, RowGroupsOf(cones), sparseA) };
            BatchMatrices<double>? quadratic = p is null ? null : new BatchMatrices<double>(pData, 1, n, n);
            RuizKernel.Equilibrate(quadratic, blocks, n, 1, settings, eData, sparseP);
        }
        double[]? sa = null;
        var scaledSparseA = sparseA?.Scaled(d, e);
        if (sparseA is null)
        {
            sa = buffers?.ScaledA ?? new double[m * n];
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) sa[i * n + j] = d[i] * dense![i * n + j] * e[j];
        }
        var sb = buffers?.ScaledB ?? new double[m];
        for (int i = 0; i < m; i++) sb[i] = d[i] * b[i];
        var ec = buffers?.ScaledC ?? new double[n];
        for (int j = 0; j < n; j++) ec[j] = e[j] * c[j];
        double[]? sp = null;
        if (p is not null)
        {
            sp = buffers?.ScaledP ?? new double[n * n];
            for (int j = 0; j < n; j++)
                for (int k = 0; k < n; k++) sp[j * n + k] = e[j] * p[j * n + k] * e[k];
        }
        var scaledSparseP = sparseP?.Scaled(e, e);
        double sigma = scaledSparseP is not null ? CostScale.Of(ec, scaledSparseP, settings) : CostScale.Of(ec, sp, sp is not null, settings);
        for (int j = 0; j < n; j++) ec[j] *= sigma;
        foreach (var scaled in new[] { sp, scaledSparseP?.Values })
            if (scaled is not null)
                for (int k = 0; k < scaled.Length; k++) scaled[k] *= sigma;
        return new ItemProgram(m, n, dense, b, c, p, sa, sb, ec, sp, d, e, sigma, sparseA, sparseP, scaledSparseA, scaledSparseP);
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
