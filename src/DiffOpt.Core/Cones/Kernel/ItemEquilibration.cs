namespace DiffOpt.Cones;

/// <summary>
/// The Ruiz equilibration of <see cref="ConeEquilibration"/> for one item on float64 arrays (same sweeps, clamps,
/// block averaging and cost scale), so that the CPU kernel needs no batched tensor passes over A.
/// </summary>
internal static class ItemEquilibration
{
    /// <summary>The item's program with its equilibrated copy, from the original data (A m × n row-major, P n × n or null).</summary>
    public static ItemProgram Create(KernelCone[] cones, int m, int n, double[] a, double[] b, double[] c, double[]? p)
    {
        var d = Enumerable.Repeat(1.0, m).ToArray();
        var e = Enumerable.Repeat(1.0, n).ToArray();
        var rows = new double[m];
        var columns = new double[n];
        for (int sweep = 0; sweep < ConeEquilibration.Sweeps; sweep++)
        {
            Array.Clear(rows);
            Array.Clear(columns);
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double v = Math.Abs(d[i] * a[i * n + j] * e[j]);
                    if (v > rows[i]) rows[i] = v;
                    if (v > columns[j]) columns[j] = v;
                }
            if (p is not null)
                for (int j = 0; j < n; j++)
                    for (int k = 0; k < n; k++)
                        columns[k] = Math.Max(columns[k], Math.Abs(e[j] * p[j * n + k] * e[k]));
            for (int j = 0; j < n; j++) e[j] /= Math.Sqrt(Clamp(columns[j]));
            for (int i = 0; i < m; i++) rows[i] = Clamp(rows[i]);
            Rectify(cones, rows);
            for (int i = 0; i < m; i++) d[i] /= Math.Sqrt(rows[i]);
        }
        var sa = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) sa[i * n + j] = d[i] * a[i * n + j] * e[j];
        var sb = new double[m];
        for (int i = 0; i < m; i++) sb[i] = d[i] * b[i];
        double[]? sp = null;
        var ec = new double[n];
        double cost = n == 0 ? 1 : 0;
        for (int j = 0; j < n; j++)
        {
            ec[j] = e[j] * c[j];
            cost = Math.Max(cost, Math.Abs(ec[j]));
        }
        if (p is not null)
        {
            sp = new double[n * n];
            double rowMaxSum = 0;
            for (int j = 0; j < n; j++)
            {
                double rowMax = 0;
                for (int k = 0; k < n; k++)
                {
                    sp[j * n + k] = e[j] * p[j * n + k] * e[k];
                    rowMax = Math.Max(rowMax, Math.Abs(sp[j * n + k]));
                }
                rowMaxSum += rowMax;
            }
            if (n > 0) cost = Math.Max(cost, rowMaxSum / n);
        }
        double sigma = 1 / Math.Clamp(cost, 1 / ConeEquilibration.NormLimit, ConeEquilibration.NormLimit);
        for (int j = 0; j < n; j++) ec[j] *= sigma;
        if (sp is not null)
            for (int k = 0; k < sp.Length; k++) sp[k] *= sigma;
        return new ItemProgram(m, n, a, b, c, p, sa, sb, ec, sp, d, e, sigma);
    }

    /// <summary>Clamped to [1/limit, limit]; 0 (an empty row or column) becomes 1.</summary>
    private static double Clamp(double norm) =>
        norm == 0 ? 1 : Math.Clamp(norm, 1 / ConeEquilibration.NormLimit, ConeEquilibration.NormLimit);

    /// <summary>Row norms made constant (their mean) on each second-order and PSD block and each exponential triple.</summary>
    private static void Rectify(KernelCone[] cones, double[] rows)
    {
        foreach (var cone in cones)
        {
            int size = cone switch
            {
                KernelSecondOrderCone or KernelPsdCone => cone.Rows,
                KernelExponentialCone => 3,
                _ => 1,
            };
            if (size == 1) continue;
            for (int start = cone.Offset; start < cone.Offset + cone.Rows; start += size)
            {
                double mean = 0;
                for (int i = start; i < start + size; i++) mean += rows[i];
                mean /= size;
                for (int i = start; i < start + size; i++) rows[i] = mean;
            }
        }
    }
}
