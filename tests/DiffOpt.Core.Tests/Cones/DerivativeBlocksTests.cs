using DiffOpt.Cones;
using DiffOpt.Tests.TestSupport;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones;

/// <summary>
/// <see cref="DerivativeBlocks.Read"/>: the diagonal blocks of D = DΠ_K*(v) for every cone type, read from the cones'
/// operators and, for an operator whose blocks are not the cones', by applying it to indicator vectors, against the
/// blocks of D's dense matrix (<see cref="IConeOperator.Dense"/>).
/// </summary>
public class DerivativeBlocksTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_GivesTheDiagonalBlocksOfD(bool byColumns)
    {
        // Every cone type; the planted complementary pairs (s, y) vary their kind across items and cones, so v = y − s
        // falls inside a cone, in its polar cone or off both (D general) somewhere.
        Cone[] cones = [new ZeroCone(2), new NonnegativeCone(3), new SecondOrderCone(4), new PsdCone(2), new ExponentialCone(2), new SecondOrderCone(3)];
        var point = PlantedConePrograms.Plant(cones, variables: 4, batch: 4, seed: 51);
        var v = point.Y - point.S;
        var d = new CompositeCone(cones).ProjectDualDerivative(v);
        // I − (I − D) is D to rounding and is one operator over all rows: read by applying it to indicator vectors.
        IConeOperator read = byColumns ? new ComplementOperator(new ComplementOperator(d)) : d;
        var blocks = new DerivativeBlocks(cones).Read(read, 4, v.device);
        var dense = d.Dense().data<double>().ToArray();
        int m = blocks.Rows, storage = blocks.Storage[^1];
        for (int item = 0; item < 4; item++)
            for (int k = 0; k < blocks.Starts.Length; k++)
            {
                int r = blocks.Sizes[k], start = blocks.Starts[k];
                for (int i = 0; i < r; i++)
                    for (int j = 0; j < r; j++)
                        Assert.Equal(dense[(item * m + start + i) * m + start + j], blocks.Values[item * storage + blocks.Storage[k] + i * r + j],
                            byColumns ? 1e-14 : 1e-15);
            }
    }
}
