using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Native;
using DiffOpt.LinearAlgebra;

namespace DiffOpt.Numerics;

/// <summary>
/// Small batched helpers shared by the solver and its derivative. Every tensor is batch-first; a matrix shared by
/// the whole batch is stored once with batch dimension 1, and the helpers turn products with it into one GEMM.
/// </summary>
internal static class Batched
{
    /// <summary>vᵀM per item for v (B,r) and M (B,r,c) or shared M (1,r,c): returns (B,c).</summary>
    public static Tensor RowTimes(Tensor vector, Tensor matrix) =>
        matrix.size(0) == 1 && vector.size(0) != 1
            ? vector.matmul(matrix[0])
            : vector.unsqueeze(-2).bmm(matrix).squeeze(-2);

    /// <summary>The items at <paramref name="index"/> (1-D int64 batch positions); a shared tensor (batch 1) stays as it is.</summary>
    public static Tensor SelectItems(Tensor tensor, Tensor index) => tensor.size(0) == 1 ? tensor : tensor.index_select(0, index);

    /// <summary>A view of <paramref name="tensor"/> with its batch dimension broadcast to <paramref name="batch"/>.</summary>
    public static Tensor ExpandBatch(Tensor tensor, long batch)
    {
        var shape = tensor.shape.ToArray();
        shape[0] = batch;
        return tensor.expand(shape);
    }

    /// <summary>M·v for M (B,r,c) and v (B,c): returns (B,r).</summary>
    public static Tensor MatVec(Tensor matrix, Tensor vector) => matrix.bmm(vector.unsqueeze(-1)).squeeze(-1);

    /// <summary>Mᵀ·v for M (B,r,c) and v (B,r): returns (B,c).</summary>
    public static Tensor MatTVec(Tensor matrix, Tensor vector) => vector.unsqueeze(-2).bmm(matrix).squeeze(-2);

    /// <summary>
    /// Solves LLᵀx = b for each item, L (B,k,k) lower triangular (or shared, (1,k,k)) and b (B,k), by two
    /// triangular solves; a shared factor solves all B right-hand sides in one call.
    /// </summary>
    public static Tensor CholeskySolve(Tensor factor, Tensor rhs) => BatchedCholesky.Solve(factor, rhs);

    /// <summary>Row-wise dot product of two (B,k) tensors: returns (B,).</summary>
    public static Tensor Dot(Tensor a, Tensor b) => (a * b).sum(-1);

    /// <summary>Infinity norm of each row of a (B,k) tensor; 0 when k = 0.</summary>
    public static Tensor InfNorm(Tensor rows) =>
        rows.size(-1) == 0 ? zeros(rows.size(0), dtype: rows.dtype, device: rows.device) : rows.abs().amax(-1);

    /// <summary>Largest absolute entry of each (r,c) matrix of a (B,r,c) tensor: returns (B,); 0 for empty matrices.</summary>
    public static Tensor MaxAbs(Tensor matrices) =>
        matrices.size(-1) == 0 || matrices.size(-2) == 0
            ? zeros(matrices.size(0), dtype: matrices.dtype, device: matrices.device)
            : matrices.abs().flatten(1).amax(-1);

    /// <summary>Column infinity norms of (B,r,c): returns (B,c); zeros when r = 0.</summary>
    public static Tensor ColumnInfNorms(Tensor matrix) =>
        matrix.size(-2) == 0
            ? zeros(matrix.size(0), matrix.size(-1), dtype: matrix.dtype, device: matrix.device)
            : matrix.abs().amax(-2);

    /// <summary>Row infinity norms of (B,r,c): returns (B,r); zeros when c = 0.</summary>
    public static Tensor RowInfNorms(Tensor matrix) =>
        matrix.size(-1) == 0
            ? zeros(matrix.size(0), matrix.size(-2), dtype: matrix.dtype, device: matrix.device)
            : matrix.abs().amax(-1);

    /// <summary>Elementwise maximum of (B,) tensors.</summary>
    public static Tensor Max(params Tensor[] values)
    {
        Tensor result = values[0];
        for (int i = 1; i < values.Length; i++) result = maximum(result, values[i]);
        return result;
    }

    /// <summary>Adds <paramref name="diagonal"/> (B,k) to the diagonal of the square matrices <paramref name="matrix"/> (B,k,k).</summary>
    public static Tensor AddDiagonal(Tensor matrix, Tensor diagonal) => matrix.Plus(diag_embed(diagonal));

    /// <summary>Expands a per-item scalar (B,) so it broadcasts against (B,k).</summary>
    public static Tensor PerItem(Tensor scalars) => scalars.unsqueeze(-1);
}
