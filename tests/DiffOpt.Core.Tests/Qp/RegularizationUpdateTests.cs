using DiffOpt.Native;
using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.InteriorPoint;

namespace DiffOpt.Tests.Qp;

/// <summary>
/// PIQP's regularisation update: the per-item CPU loop equals the batched tensor form on random outcomes that reach
/// every branch (accepted or not, improved by 5 % or within tolerance, suspected infeasibility, the fine-tune floor,
/// with and without inequalities, adaptive ρ or fixed), in float64 and float32; and both forms give the same update
/// when the measures come as rows of the residual kernel's tables.
/// </summary>
public class RegularizationUpdateTests
{
    [Theory]
    [InlineData(3, true, true, ScalarType.Float64)]
    [InlineData(4, true, true, ScalarType.Float64)]   // the last iteration before infeasibility can be suspected
    [InlineData(5, true, true, ScalarType.Float64)]   // the first one where it can
    [InlineData(7, true, true, ScalarType.Float64)]
    [InlineData(7, false, true, ScalarType.Float64)]
    [InlineData(7, true, false, ScalarType.Float64)]
    [InlineData(9, true, true, ScalarType.Float32)]
    public void PerItemLoop_EqualsTheBatchedForm(int iteration, bool hasInequalities, bool adaptive, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        const int batch = 400;
        const double finetune = 1e-13, threshold = 0.9;
        var generator = new Generator((ulong)(iteration * 10 + (hasInequalities ? 1 : 0) + (adaptive ? 2 : 0)));
        Tensor U(double low, double high) => rand(batch, dtype: ScalarType.Float64, generator: generator).Times(high - low).Plus(low).to_type(dtype);
        Tensor Pick(Tensor mask, Tensor a, Tensor b) => where(mask, a, b);
        Tensor Coin() => rand(batch, generator: generator).lt(ScalarSafeOperations.Half);

        var floor = Pick(Coin(), ScalarSafeOperations.With(1e-10, value => full(batch, value, dtype: dtype)),
            ScalarSafeOperations.With(finetune, value => full(batch, value, dtype: dtype)));
        var rho = Pick(Coin(), floor.clone(), U(1e-9, 1e-3));
        var deltaIneq = Pick(Coin(), floor.clone(), U(1e-9, 1e-3));
        var prevPrimal = U(1e-12, 1);
        var prevDual = U(1e-12, 1);
        var norms = new ResidualMeasures(
            Primal: prevPrimal * U(0.5, 1.2), Dual: Pick(Coin(), ScalarSafeOperations.With(1e-12, value => full(batch, value, dtype: dtype)), prevDual * U(0.5, 1.2)),
            Gap: U(0, 1), PrimalScale: U(1, 10), DualScale: U(1, 10), GapScale: U(1, 10));
        var muBefore = U(1e-8, 1);
        var inputs = new RegularizationUpdate.Inputs(Coin(), norms, prevPrimal, prevDual, muBefore, muBefore * U(0.01, 1.5),
            U(0.5, 1.3), adaptive ? U(0.5, 1.3) : null, floor);
        var state = new RegularizationUpdate.State(rho, deltaIneq, U(0, 5).floor(), U(0, 5).floor());
        var settings = new RegularizationUpdate.Settings(iteration, hasInequalities, 1e-9, 0, finetune, threshold, 0.3);

        var perItem = RegularizationUpdate.Apply(state, inputs, settings);
        var batched = RegularizationUpdate.Apply(state, inputs, settings, useKernel: false);
        double tolerance = dtype == ScalarType.Float32 ? 1e-6 : 1e-15;
        AssertClose(batched.Next.Rho, perItem.Next.Rho, tolerance, "ρ");
        AssertClose(batched.Next.DeltaIneq, perItem.Next.DeltaIneq, tolerance, "δ");
        AssertClose(batched.Next.NoPrimalUpdate, perItem.Next.NoPrimalUpdate, 0, "stalled primal updates");
        AssertClose(batched.Next.NoDualUpdate, perItem.Next.NoDualUpdate, 0, "stalled dual updates");
        Assert.Equal(batched.MaxStallCount, perItem.MaxStallCount);
        Assert.Equal(maximum(perItem.Next.NoPrimalUpdate.max(), perItem.Next.NoDualUpdate.max()).to_type(ScalarType.Float64).item<double>(), perItem.MaxStallCount);
        Assert.Equal(batched.MovePrimalCentre.data<bool>().ToArray(), perItem.MovePrimalCentre.data<bool>().ToArray());
        Assert.Equal(batched.MoveDualCentres.data<bool>().ToArray(), perItem.MoveDualCentres.data<bool>().ToArray());
        // Both kinds of outcome occur, so that the comparison covers the branches.
        Assert.InRange(perItem.MovePrimalCentre.sum().item<long>(), 1, batch - 1);
        Assert.InRange(perItem.MoveDualCentres.sum().item<long>(), 1, batch - 1);

        // The same measures as rows of residual-kernel tables (as the iteration passes them): the same update, in
        // the per-item loop and in the batched form. The previous table's unread columns hold NaN.
        var nan = ScalarSafeOperations.With(double.NaN, value => full(batch, value, dtype: dtype));
        var table = stack([norms.Primal, norms.Dual, norms.Gap, norms.PrimalScale, norms.DualScale, norms.GapScale], 1).contiguous();
        var previous = stack([prevPrimal, prevDual, nan, nan, nan, nan], 1).contiguous();
        var tableInputs = RegularizationUpdate.Inputs.FromTables(inputs.Accepted, table, previous, inputs.MuBefore, inputs.Mu,
            inputs.PrimalProxInf, inputs.DualProxInf, inputs.RegFloor);
        foreach (bool useKernel in new[] { true, false })
        {
            var fromTables = RegularizationUpdate.Apply(state, tableInputs, settings, useKernel);
            AssertClose(perItem.Next.Rho, fromTables.Next.Rho, 0, "ρ from tables");
            AssertClose(perItem.Next.DeltaIneq, fromTables.Next.DeltaIneq, 0, "δ from tables");
            AssertClose(perItem.Next.NoPrimalUpdate, fromTables.Next.NoPrimalUpdate, 0, "stalled primal updates from tables");
            AssertClose(perItem.Next.NoDualUpdate, fromTables.Next.NoDualUpdate, 0, "stalled dual updates from tables");
            Assert.Equal(perItem.MovePrimalCentre.data<bool>().ToArray(), fromTables.MovePrimalCentre.data<bool>().ToArray());
            Assert.Equal(perItem.MoveDualCentres.data<bool>().ToArray(), fromTables.MoveDualCentres.data<bool>().ToArray());
        }
    }

    private static void AssertClose(Tensor expected, Tensor actual, double tolerance, string what)
    {
        var (e, a) = (expected.to_type(ScalarType.Float64), actual.to_type(ScalarType.Float64));
        double error = ((a - e).abs() / e.abs().AtLeast(1e-300)).max().item<double>();
        Assert.True(error <= tolerance, $"{what}: per-item and batched differ by {error:E2} (relative)");
    }
}
