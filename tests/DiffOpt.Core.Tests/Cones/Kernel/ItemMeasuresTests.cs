using DiffOpt.Cones;
using DiffOpt.InteriorPoint;

namespace DiffOpt.Tests.Cones.Kernel;

/// <summary>
/// <see cref="ItemMeasures"/>: the residual measures of a point against the formulas of <see cref="HomogeneousTermination"/>
/// written from the definition (‖Ax + s − b‖∞, ‖Px + Aᵀy + c‖∞, |cᵀx + xᵀPx + bᵀy| and their normalisers), on
/// items whose A and P have dense rows, rows with one nonzero and empty rows (applied as scalars), and after the
/// measures are rebound to another item of the same shape.
/// </summary>
public class ItemMeasuresTests
{
    private const int Rows = 7, Columns = 5;

    private static double[] Random(Random random, int length) =>
        Enumerable.Range(0, length).Select(_ => random.NextDouble() * 2 - 1).ToArray();

    private static ItemProgram Item(Random random, bool withP)
    {
        var a = Random(random, Rows * Columns);
        for (int i = 2; i < 6; i++) a.AsSpan(i * Columns, Columns).Clear();
        (a[2 * Columns + 4], a[3 * Columns + 0], a[5 * Columns + 4]) = (-1.5, 2, 0.25);   // row 4 empty
        double[]? p = null;
        if (withP)
        {
            p = new double[Columns * Columns];
            (p[0], p[3 * Columns + 3], p[3 * Columns + 4], p[4 * Columns + 3], p[4 * Columns + 4]) = (2, 1, 0.5, 0.5, 3);   // rows 1, 2 empty
        }
        var cones = HomogeneousItemSolver.Create([new ZeroCone(2), new NonnegativeCone(5)]);
        return ItemEquilibration.Create(cones, Rows, Columns, a, Random(random, Rows), Random(random, Columns), p);
    }

    [Fact]
    public void Measure_MatchesTheDefinition()
    {
        var random = new Random(31);
        var measures = new ItemMeasures(Rows, Columns);
        foreach (bool withP in new[] { true, false, true })
        {
            var item = Item(random, withP);
            measures.Bind(item, new SolverTolerances(1e-8, 1e-8, 1e-8));
            var (x, y, s) = (Random(random, Columns), Random(random, Rows), Random(random, Rows));
            var a = item.A!;
            double[] Ax() => Enumerable.Range(0, Rows).Select(i => Enumerable.Range(0, Columns).Sum(j => a[i * Columns + j] * x[j])).ToArray();
            var ax = Ax();
            var aty = Enumerable.Range(0, Columns).Select(j => Enumerable.Range(0, Rows).Sum(i => a[i * Columns + j] * y[i])).ToArray();
            var px = Enumerable.Range(0, Columns)
                .Select(j => item.P is null ? 0 : Enumerable.Range(0, Columns).Sum(l => item.P[j * Columns + l] * x[l])).ToArray();
            double quadratic = x.Zip(px, (u, v) => u * v).Sum();
            double primalObjective = item.C.Zip(x, (u, v) => u * v).Sum() + 0.5 * quadratic;
            double dualObjective = -item.B.Zip(y, (u, v) => u * v).Sum() - 0.5 * quadratic;
            double Inf(IEnumerable<double> v) => v.Max(Math.Abs);
            var measured = measures.Measure(x, y, s);
            (double Value, double Expected)[] pairs =
            [
                (measured.Primal, Inf(Enumerable.Range(0, Rows).Select(i => ax[i] + s[i] - item.B[i]))),
                (measured.Dual, Inf(Enumerable.Range(0, Columns).Select(j => px[j] + aty[j] + item.C[j]))),
                (measured.Gap, Math.Abs(primalObjective - dualObjective)),
                (measured.PrimalScale, Math.Max(1, Math.Max(Inf(ax), Math.Max(Inf(s), Inf(item.B))))),
                (measured.DualScale, Math.Max(1, Math.Max(Inf(px), Math.Max(Inf(aty), Inf(item.C))))),
                (measured.GapScale, Math.Max(1, Math.Min(Math.Abs(primalObjective), Math.Abs(dualObjective)))),
            ];
            foreach (var (value, expected) in pairs) Assert.True(Math.Abs(value - expected) < 1e-14 * (1 + Math.Abs(expected)), $"{value} vs {expected}");
        }
    }
}
