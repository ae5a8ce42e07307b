using DiffOpt.Numerics;
using DiffOpt.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Numerics;

/// <summary>
/// The host row norms read rows in vector lanes: on rows of every length up to 19, clean or with a NaN at any position,
/// the row maxima of |entries| equal the tensor form's (NaN where a row holds one), for float64 and float32.
/// </summary>
public class HostRowNormsTests
{
    [KernelPathTheory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    public void RowMaxima_EqualTheTensorForm_WhereverANaNSits(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        for (int length = 0; length <= 19; length++)
        {
            var clean = randn(2, 3, length, dtype: ScalarType.Float64, generator: new Generator((ulong)length + 1)).to_type(dtype);
            AssertRowNorms(clean);
            for (int position = 0; position < length; position++)
            {
                var poisoned = clean.clone();
                poisoned[1, 2, position] = tensor(double.NaN, dtype: ScalarType.Float64).to_type(dtype);
                AssertRowNorms(poisoned);
            }
        }
    }

    private static void AssertRowNorms(Tensor matrices)
    {
        var expected = matrices.size(-1) == 0 ? zeros(2, 3, dtype: matrices.dtype) : matrices.abs().amax(-1);
        var rows = HostRowNorms.OfMatrixRows(matrices)!;
        Assert.True(rows.eq(expected).logical_or(rows.isnan().logical_and(expected.isnan())).all().item<bool>(), "row norms of the matrices differ");
        // The same maxima over the blocks of one row per item: the last two rows of each item as two blocks.
        var norms = HostRowNorms.InfNorm(matrices[.., 1].contiguous(), matrices[.., 2].contiguous())!;
        var blocks = expected[.., 1..].amax(-1);
        Assert.True(norms.eq(blocks).logical_or(norms.isnan().logical_and(blocks.isnan())).all().item<bool>(), "block norms differ");
    }
}
