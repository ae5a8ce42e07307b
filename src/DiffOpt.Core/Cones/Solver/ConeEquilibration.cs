using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// Batched Ruiz equilibration of cone programs (Ruiz 2001; Clarabel's <c>equilibration.rs</c>), per item:
/// Â = DAE, b̂ = Db, ĉ = σEc, P̂ = σEPE with positive diagonal D (rows) and E (columns) and a cost scale σ.
/// x = Ex̂, s = D⁻¹ŝ, y = Dŷ/σ map the scaled program's points back. D is constant on each second-order and PSD
/// block and on each exponential triple, because those cones are invariant under positive multiples but not under
/// other diagonal scalings; zero and nonnegative rows are scaled one by one.
/// </summary>
/// <remarks>
/// The QP's <c>Qp/RuizEquilibration</c> is bound to QP types; a shared version would take the KKT column norms from
/// an operator and a "rectify" hook per cone (the block averaging here), and then serve both solvers.
/// </remarks>
internal sealed class ConeEquilibration
{
    /// <summary>Ruiz sweeps.</summary>
    internal const int Sweeps = 15;

    /// <summary>Norms are clamped to [1/<see cref="NormLimit"/>, <see cref="NormLimit"/>] before each sweep's square root.</summary>
    internal const double NormLimit = 1e4;

    private readonly IReadOnlyList<Cone> _cones;

    /// <summary>Equilibrates the float64 data <paramref name="data"/>.</summary>
    public ConeEquilibration(ConeProgramData data)
    {
        _cones = data.Cones;
        long batch = data.Batch;
        var d = ones(batch, data.Rows, dtype: ScalarType.Float64, device: data.Device);
        var e = ones(batch, data.Variables, dtype: ScalarType.Float64, device: data.Device);
        var absA = data.A.abs();
        var absP = data.P?.abs();
        for (int sweep = 0; sweep < Sweeps; sweep++)
        {
            var scaledA = d.unsqueeze(2) * absA * e.unsqueeze(1);
            var columns = scaledA.shape[1] == 0 ? zeros_like(e) : scaledA.amax(1);
            if (absP is not null) columns = maximum(columns, (e.unsqueeze(2) * absP * e.unsqueeze(1)).amax(1));
            var rows = scaledA.shape[2] == 0 ? zeros_like(d) : scaledA.amax(2);
            e /= Clamp(columns).sqrt();
            d /= Rectify(Clamp(rows)).sqrt();
        }
        D = d;
        E = e;
        A = d.unsqueeze(2) * data.A * e.unsqueeze(1);
        B = d * data.B;
        var p = data.P is null ? null : e.unsqueeze(2) * data.P * e.unsqueeze(1);
        var ec = e * data.C;
        var cost = ec.shape[1] == 0 ? ones(batch, dtype: ScalarType.Float64, device: data.Device) : ec.abs().amax(1);
        if (p is not null && p.shape[1] > 0) cost = maximum(cost, p.abs().amax(2).mean([1]));
        CostScale = 1 / cost.clamp(1 / NormLimit, NormLimit);
        C = CostScale.unsqueeze(1) * ec;
        P = p is null ? null : CostScale.view(-1, 1, 1) * p;
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

    /// <summary>Norms clamped to [1/<see cref="NormLimit"/>, <see cref="NormLimit"/>]; zero norms (empty rows or columns) become 1.</summary>
    private static Tensor Clamp(Tensor norms) => where(norms == 0, ones_like(norms), norms.clamp(1 / NormLimit, NormLimit));

    /// <summary>Row norms made constant (their mean) on each block that needs a uniform scale.</summary>
    private Tensor Rectify(Tensor rows)
    {
        var result = rows.clone();
        long offset = 0;
        foreach (var cone in _cones)
        {
            var block = result.narrow(1, offset, cone.Rows);
            switch (cone)
            {
                case SecondOrderCone or PsdCone:
                    block.copy_(block.mean([1], keepdim: true).expand_as(block));
                    break;
                case ExponentialCone exponential:
                    var triples = block.reshape(-1, exponential.Count, 3);
                    block.copy_(triples.mean([2], keepdim: true).expand_as(triples).reshape(block.shape[0], block.shape[1]));
                    break;
            }
            offset += cone.Rows;
        }
        return result;
    }
}
