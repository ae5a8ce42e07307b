using DiffOpt.Native;
using DiffOpt.Numerics;
using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Tests.TestSupport;

namespace DiffOpt.Tests.Qp;

/// <summary>
/// The host form of iterative refinement's residuals (<see cref="RefinementResiduals"/>) gives the tensor form's
/// r = rhs − K·v and its norms bit for bit (float64 and float32, B = 1, an empty equality block, NaN), and the host
/// helpers of the small-batch path (<see cref="HostValues"/>, <see cref="HostTensors"/>) agree with the tensor forms.
/// </summary>
public class RefinementResidualsTests
{
    [KernelPathTheory]
    [InlineData(5, 7, 6, 2, ScalarType.Float64)]
    [InlineData(1, 10, 10, 0, ScalarType.Float64)]
    [InlineData(3, 9, 4, 3, ScalarType.Float32)]
    [InlineData(2, 21, 13, 5, ScalarType.Float64)]   // several vector lanes per block, then a tail
    [InlineData(2, 19, 17, 9, ScalarType.Float32)]
    public void Residuals_EqualTheTensorForm(int batch, int n, int m, int k, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var (problem, random) = KernelCases.Problem(batch, n, m, k, false, dtype);
        var (_, scaled) = RuizEquilibration.Apply(problem, 10);
        Tensor R(params long[] shape) => random(shape);
        Tensor Positive(params long[] shape) => R(shape).abs().Times(1e-3).Plus(1e-9);
        var kkt = new PrimalKktSolver(scaled);
        var target = new KktParameters(Positive(batch), Positive(batch), Positive(batch, m));
        var rhs = new KktVector(R(batch, n), R(batch, k), R(batch, m));
        var v = new KktVector(R(batch, n), R(batch, k), R(batch, m));
        Assert.True(RefinementResiduals.Applies(scaled, target, rhs));

        var (residual, norms) = RefinementResiduals.Evaluate(scaled, target, rhs, v);
        var expected = rhs - kkt.Multiply(target, v);
        KernelCases.AssertBitwise(expected.X, residual.X, "rx");
        KernelCases.AssertBitwise(expected.Y, residual.Y, "ry");
        KernelCases.AssertBitwise(expected.Z, residual.Z, "rz");
        KernelCases.AssertBitwise(expected.InfNorm(), HostTensors.Of(norms, dtype), "residual norm");
        KernelCases.AssertBitwise(rhs.InfNorm(), HostTensors.Of(RefinementResiduals.InfNorms(rhs), dtype), "rhs norm");

        // A NaN in v makes its item's residual norm NaN, as amax does; the other items keep theirs.
        v.X[0, 0] = tensor(double.NaN).to_type(dtype);
        var (_, poisoned) = RefinementResiduals.Evaluate(scaled, target, rhs, v);
        Assert.True(double.IsNaN(poisoned[0]));
        for (int i = 1; i < batch; i++) Assert.Equal(norms[i], poisoned[i]);
    }

    [KernelPathFact]
    public void Applies_RefusesOperandsItCannotRead()
    {
        using var scope = NewDisposeScope();
        var (problem, random) = KernelCases.Problem(3, 5, 4, 1, false, ScalarType.Float64);
        var (_, scaled) = RuizEquilibration.Apply(problem, 10);
        var rhs = new KktVector(random([3, 5]), random([3, 1]), random([3, 4]));
        var fit = new KktParameters(ones(3, dtype: ScalarType.Float64), ones(3, dtype: ScalarType.Float64), ones(3, 4, dtype: ScalarType.Float64));
        Assert.True(RefinementResiduals.Applies(scaled, fit, rhs));
        Assert.False(RefinementResiduals.Applies(scaled, fit with { W = ones(4, 3, dtype: ScalarType.Float64).t() }, rhs), "a non-contiguous w");
        Assert.False(RefinementResiduals.Applies(scaled, fit with { Rho = ones(1, dtype: ScalarType.Float64) }, rhs), "a shared ρ");
        Assert.False(RefinementResiduals.Applies(scaled, fit, rhs with { X = rhs.X.to_type(ScalarType.Float32) }), "another dtype");
    }

    [KernelPathFact]
    public void HostHelpers_KeepTheirValues()
    {
        using var scope = NewDisposeScope();
        Assert.True(HostValues.AllZero(tensor(new[] { 0.0, -0.0 })));
        Assert.False(HostValues.AllZero(tensor(new[] { 0.0, 1e-300 })));
        Assert.False(HostValues.AllZero(tensor(new[] { double.NaN })));
        Assert.False(HostValues.AllZero(tensor(new[] { 0L })), "an integer tensor is not read");
        // Equal is (a == b).all(): ±0 are equal, NaN is not; tensors it cannot read are left to the tensor form.
        var a = tensor(new[] { 0.0, 1.5, -2.0 });
        Assert.True(HostValues.Equal(a, tensor(new[] { -0.0, 1.5, -2.0 })));
        Assert.False(HostValues.Equal(a, tensor(new[] { 0.0, 1.5, -2.5 })));
        Assert.False(HostValues.Equal(tensor(new[] { double.NaN }), tensor(new[] { double.NaN })));
        Assert.Null(HostValues.Equal(a, a.to_type(ScalarType.Float32)));
        Assert.Null(HostValues.Equal(tensor(new[,] { { 1.0, 2.0 }, { 3.0, 4.0 } }).t(), tensor(new[,] { { 1.0, 3.0 }, { 2.0, 4.0 } })));
        Assert.Equal(new[] { true, false, true }, HostTensors.Of(new[] { true, false, true }).data<bool>().ToArray());
        var values = new[] { 1.0 / 3, -0.0, double.NegativeInfinity };
        KernelCases.AssertBitwise(tensor(values), HostTensors.Of(values, ScalarType.Float64), "float64");
        KernelCases.AssertBitwise(tensor(values, dtype: ScalarType.Float32), HostTensors.Of(values, ScalarType.Float32), "float32");
    }
}
