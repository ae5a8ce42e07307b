using DiffOpt.Cones;
using static TorchSharp.torch;

namespace DiffOpt.Modeling;

/// <summary>
/// A user constraint's dual from the cone program's y (B, m), in cvxpy's conventions (<see cref="Layers.ConvexLayer"/>'s
/// remarks). The program writes Ax + s = b with s = g + Gx the constraint's form and stationarity c + Px = Gᵀy, so
/// y is the multiplier of f − yᵀs: as it stands for an inequality (s = b − a) and a cone constraint; negated for an
/// equality (s = a − b, cvxpy's ν multiplies a − b with a plus sign); a PSD block's svec rows become the symmetric
/// matrix (off-diagonals divided by √2).
/// </summary>
internal static class DualValues
{
    /// <summary>The dual of the constraint at <paramref name="rows"/>, (B, size of its shape), row-major.</summary>
    public static Tensor Of(Tensor y, ConstraintRows rows)
    {
        if (rows.Weights is { } weights) return Weighted(y, weights, rows.Shape.Size);
        var block = y.narrow(1, rows.Offset, rows.Cone.Rows);
        return rows.Cone switch
        {
            ZeroCone => -block,
            PsdCone psd => Matrix(block, psd.Order),
            _ => block,
        };
    }

    /// <summary>λ (B, size) with λ_e = Σ w·y_r over the (r, e, w) of a bound written in its direct cone form.</summary>
    private static Tensor Weighted(Tensor y, IReadOnlyList<(int Row, int Entry, double Weight)> weights, int size)
    {
        var rows = weights.Select(w => (long)w.Row).Distinct().ToArray();
        var position = rows.Select((r, i) => (r, i)).ToDictionary(t => t.r, t => t.i);
        var map = new double[rows.Length * size];
        foreach (var (row, entry, weight) in weights) map[position[row] * size + entry] += weight;
        return y.index_select(1, tensor(rows, device: y.device)).matmul(tensor(map, dtype: y.dtype, device: y.device).view(rows.Length, size));
    }

    /// <summary>The symmetric k × k matrices (B, k·k) of svec rows (lower triangle column by column, off-diagonals × √2).</summary>
    private static Tensor Matrix(Tensor svec, int k)
    {
        var index = new long[k * k];
        var scale = new double[k * k];
        int row = 0;
        for (int j = 0; j < k; j++)
            for (int i = j; i < k; i++, row++)
            {
                index[i * k + j] = index[j * k + i] = row;
                scale[i * k + j] = scale[j * k + i] = i == j ? 1 : Math.Sqrt(0.5);
            }
        return svec.index_select(1, tensor(index, device: svec.device)) * tensor(scale, dtype: svec.dtype, device: svec.device);
    }
}
