using static TorchSharp.torch;
using DiffOpt.InteriorPoint;

namespace DiffOpt.Cones;

/// <summary>
/// Batched Ruiz equilibration of cone programs (Ruiz 2001; Clarabel's <c>equilibration.rs</c>), per item:
/// Â = DAE, b̂ = Db, ĉ = σEc, P̂ = σEPE with positive diagonal D (rows) and E (columns) and a cost scale σ.
/// x = Ex̂, s = D⁻¹ŝ, y = Dŷ/σ map the scaled program's points back. D is constant on each second-order and PSD
/// block and on each exponential triple, because those cones are invariant under positive multiples but not under
/// other diagonal scalings; zero and nonnegative rows are scaled one by one.
/// </summary>
/// <remarks>
/// The sweeps are the shared equilibration of <c>InteriorPoint/Scaling</c> (<see cref="RuizTensor"/>) with
/// <see cref="RuizSettings.Cone"/>; this class maps the cone program to it and back.
/// </remarks>
internal sealed class ConeEquilibration
{
    /// <summary>Equilibrates the float64 data <paramref name="data"/>.</summary>
    public ConeEquilibration(ConeProgramData data)
    {
        var settings = RuizSettings.Cone;
        var (e, rows) = RuizTensor.Factors(data.P, [(data.A, RowGroupsOf(data.Cones))], data.Variables, data.Batch, settings, data.A,
            useKernel: false);
        var d = rows[0];
        D = d;
        E = e;
        A = d.unsqueeze(2) * data.A * e.unsqueeze(1);
        B = d * data.B;
        var p = data.P is null ? null : e.unsqueeze(2) * data.P * e.unsqueeze(1);
        var ec = e * data.C;
        CostScale = InteriorPoint.CostScale.Of(ec, p, settings);
        C = CostScale.unsqueeze(1) * ec;
        P = p is null ? null : CostScale.view(-1, 1, 1) * p;
    }

    /// <summary>
    /// The rows that share a factor: each second-order and PSD block, each exponential triple (those cones are invariant
    /// under positive multiples only); zero and nonnegative rows one by one.
    /// </summary>
    internal static RowGroups RowGroupsOf(IEnumerable<Cone> cones)
    {
        var runs = new List<RowGroupRun>();
        int offset = 0;
        foreach (var cone in cones)
        {
            switch (cone)
            {
                case SecondOrderCone or PsdCone:
                    runs.Add(new RowGroupRun(offset, cone.Rows, 1));
                    break;
                case ExponentialCone exponential:
                    runs.Add(new RowGroupRun(offset, 3, exponential.Count));
                    break;
            }
            offset += cone.Rows;
        }
        return new RowGroups(runs);
    }

    /// <summary>D, (B, m).</summary>
    public Tensor D { get; }

    /// <summary>E, (B, n).</summary>
    public Tensor E { get; }

    /// <summary>σ, (B,).</summary>
    public Tensor CostScale { get; }

    /// <summary>Â = DAE, (B, m, n).</summary>
    public Tensor A { get; }

    /// <summary>b̂ = Db, (B, m).</summary>
    public Tensor B { get; }

    /// <summary>ĉ = σEc, (B, n).</summary>
    public Tensor C { get; }

    /// <summary>P̂ = σEPE, (B, n, n), or null.</summary>
    public Tensor? P { get; }

    /// <summary>x = Ex̂ for x̂ (B, n).</summary>
    public Tensor UnscaleX(Tensor x) => E * x;

    /// <summary>s = D⁻¹ŝ for ŝ (B, m).</summary>
    public Tensor UnscaleS(Tensor s) => s / D;

    /// <summary>y = Dŷ/σ for ŷ (B, m).</summary>
    public Tensor UnscaleY(Tensor y) => D * y / CostScale.unsqueeze(1);
}
