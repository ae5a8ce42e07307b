using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Native;
using DiffOpt.Numerics;

namespace DiffOpt.Qp;

/// <summary>
/// What turns the solver's scaled residuals into unscaled infinity norms (<see cref="QpResiduals"/>): the inverse
/// scalings D⁻¹ and E⁻¹ = [E_A; E_G]⁻¹, and the parts of the relative-test normalisers that do not change during a
/// solve (‖c/D‖∞ and ‖[b; h]/E‖∞), computed once.
/// </summary>
internal sealed record ResidualNormalizer(Tensor InverseD, Tensor InverseE, Tensor InverseEG, Tensor DataPrimalScale, Tensor DataDualScale)
{
    public static ResidualNormalizer Create(ScaledQp qp, RuizEquilibration scaling)
    {
        var inverseD = scaling.D.Into(1.0);
        var inverseE = cat(new[] { scaling.EA, scaling.EG }, -1).Into(1.0);
        return new ResidualNormalizer(inverseD, inverseE, scaling.EG.Into(1.0),
            Batched.InfNorm(cat(new[] { qp.B, qp.H }, -1) * inverseE),
            Batched.InfNorm(qp.C * inverseD));
    }

    /// <summary>The normaliser of the items at <paramref name="index"/> (1-D int64 batch positions).</summary>
    public ResidualNormalizer Select(Tensor index) => new(
        Batched.SelectItems(InverseD, index), Batched.SelectItems(InverseE, index), Batched.SelectItems(InverseEG, index),
        DataPrimalScale.index_select(0, index), DataDualScale.index_select(0, index));

    /// <summary>Every tensor of the normaliser.</summary>
    public IEnumerable<Tensor> Tensors() => new[] { InverseD, InverseE, InverseEG, DataPrimalScale, DataDualScale };
}
