using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The derivative of the PSD projection at X = QΛQᵀ in svec coordinates: D[dX] = Q (W ∘ (QᵀdXQ)) Qᵀ with
/// W_ij = (max(λᵢ, 0) + max(λⱼ, 0)) / (|λᵢ| + |λⱼ|) (1 where both are 0): 1 if λᵢ, λⱼ ≥ 0, 0 if both &lt; 0, else
/// max(λᵢ, λⱼ)/(|λᵢ| + |λⱼ|) (CONES.md; Malick and Sendov 2006; diffcp's <c>cones.cpp</c>). Symmetric: the matrices
/// E_ab = (q_a q_bᵀ + q_b q_aᵀ)/√2 (a &lt; b) and q_a q_aᵀ are an orthonormal eigenbasis with eigenvalues W_ab ∈ [0, 1].
/// </summary>
internal sealed class PsdOperator(Svec svec, Tensor eigenvectors, Tensor weights) : IConeOperator
{
    /// <summary>Q (B, k, k), the eigenvectors of X in columns.</summary>
    public Tensor Eigenvectors { get; } = eigenvectors;

    /// <summary>W (B, k, k), the weights of the eigenbasis.</summary>
    public Tensor Weights { get; } = weights;

    /// <inheritdoc />
    public int Rows => svec.Length;

    /// <inheritdoc />
    public Tensor Apply(Tensor d)
    {
        ConeArguments.CheckBatch(d, Rows, nameof(d), this);
        var q = Eigenvectors;
        var qt = q.transpose(1, 2);
        var rotated = qt.matmul(svec.ToMatrix(d)).matmul(q);
        return svec.ToVector(q.matmul(Weights * rotated).matmul(qt));
    }

    /// <summary>
    /// Σ_{a ≤ b} W_ab svec(E_ab) svec(E_ab)ᵀ, assembled from the eigenbasis (O(k⁴) per item) independently of
    /// <see cref="Apply"/>, so that tests can compare the two.
    /// </summary>
    public Tensor Dense()
    {
        long batch = Eigenvectors.shape[0];
        int k = svec.Order;
        var q = Eigenvectors;
        var outer = einsum("bia,bjc->bijac", q, q);                      // (q_a q_cᵀ)_ij
        var symmetric = outer.Plus(outer.permute(0, 2, 1, 3, 4)).Times(0.5);  // ½(q_a q_cᵀ + q_c q_aᵀ)_ij
        var basis = (symmetric * svec.ScaleMatrix(q)).reshape(batch, k * k, k * k);
        var lower = svec.LowerIndex(q);
        var columns = basis.index_select(1, lower).index_select(2, lower) * svec.Scale(q).view(1, -1, 1);
        var eigenvalues = Weights.reshape(batch, k * k).index_select(1, lower);
        return (columns * eigenvalues.unsqueeze(1)).matmul(columns.transpose(1, 2));
    }
}
