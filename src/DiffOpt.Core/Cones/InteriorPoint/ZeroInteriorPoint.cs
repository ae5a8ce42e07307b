using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The interior-point arithmetic of the zero cone {0} (Clarabel's <c>zerocone.rs</c>), trivial by design: its rows
/// are equality constraints. s stays 0 and the dual ℝⁿ is free, so there is no barrier (degree 0, nothing enters
/// μ), no central ray (e = 0) and no scaling: the cone's block of the reduced KKT matrix is Hs = 0, which leaves
/// [A; −0] as the equality rows (Clarabel regularises them in the KKT solver, not in the cone).
/// </summary>
internal sealed class ZeroInteriorPoint(ZeroCone cone) : IInteriorPointCone
{
    /// <inheritdoc />
    public int Rows => cone.Rows;

    /// <summary>0: no barrier, so the zero cone adds nothing to ν in μ = ⟨s, z⟩/ν (⟨s, z⟩ = 0 on these rows).</summary>
    public int Degree => 0;

    /// <summary>0: s = 0 is the only point of {0}, and z = 0 is the natural start of a free dual.</summary>
    public Tensor UnitElement(ScalarType dtype, Device device) => zeros(Rows, dtype: dtype, device: device);

    /// <summary>Hs = 0 (checks the arguments only: s and z are not used).</summary>
    public IConeScaling Scale(Tensor s, Tensor z)
    {
        InteriorPointArguments.CheckPair(s, nameof(s), z, nameof(z), Rows, cone);
        return new ZeroScaling(z, cone);
    }

    /// <inheritdoc />
    public override string ToString() => cone.ToString();

    /// <summary>Hs = 0 on the zero cone's rows.</summary>
    private sealed class ZeroScaling(Tensor like, ZeroCone cone) : IConeScaling
    {
        /// <summary>0: a step in the free dual does not move s.</summary>
        public Tensor MulHs(Tensor u)
        {
            ConeArguments.CheckBatch(u, cone.Rows, nameof(u), cone);
            InteriorPointArguments.CheckLike(like, "the scaling", u, nameof(u));
            return zeros_like(u);
        }

        /// <summary>A (B, Rows, Rows) block of zeros.</summary>
        public Tensor DenseHs() => zeros(like.shape[0], cone.Rows, cone.Rows, dtype: like.dtype, device: like.device);
    }
}
