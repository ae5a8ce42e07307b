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
        var block = y.narrow(1, rows.Offset, rows.Cone.Rows);
        return rows.Cone switch
        {
            ZeroCone => -block,
            PsdCone psd => Matrix(block, psd.Order),
            _ => block,
        };
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
