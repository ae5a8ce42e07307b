using DiffOpt.Native;
using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.LinearAlgebra;
using DiffOpt.Numerics;
using DiffOpt.Tests.TestSupport;

namespace DiffOpt.Tests.Qp;

/// <summary>
/// The batched Cholesky factorisation behind every KKT solve, on both of its CPU paths (LAPACK per matrix and the
/// batch-interleaved SIMD code for orders 24-100): factors against libtorch's own Cholesky, failures flagged per item.
/// </summary>
public class BatchedCholeskyTests
{
    [Theory]
    [InlineData(1, 5)]    // LAPACK
    [InlineData(7, 24)]   // interleaved, a last group of 3
    [InlineData(9, 37)]   // interleaved, odd order, a last group of 1
    [InlineData(4, 64)]   // interleaved, one full group
    [InlineData(6, 72)]   // interleaved
    [InlineData(3, 100)]  // interleaved, largest order
    [InlineData(2, 110)]  // LAPACK
    public void Factor_MatchesLibtorchCholesky_InTheLowerTriangle(int batch, int n)
    {
        using var scope = NewDisposeScope();
        var matrices = SpdBatch(batch, n, seed: n);
        var (factor, failed) = BatchedCholesky.Factor(matrices.clone());

        Assert.False(failed.any().item<bool>());
        var expected = linalg.cholesky(matrices);
        var error = (factor.tril() - expected).abs().max().item<double>();
        Assert.True(error < 1e-12 * n, $"max |L - L_torch| = {error:E2}");
    }

    [Theory]
    [InlineData(40)]
    [InlineData(8)]
    public void Factor_FlagsIndefiniteAndNonFiniteItems_AndFactorsTheOthers(int n)
    {
        using var scope = NewDisposeScope();
        var matrices = SpdBatch(6, n, seed: 3);
        matrices[1][n / 2, n / 2] = tensor(-1.0, dtype: ScalarType.Float64);   // eᵀAe < 0: indefinite
        matrices[4][0, 0] = tensor(double.NaN, dtype: ScalarType.Float64);    // not finite
        var (factor, failed) = BatchedCholesky.Factor(matrices.clone());

        Assert.Equal(new[] { false, true, false, false, true, false }, failed.data<bool>().ToArray());
        foreach (var i in new[] { 0, 2, 3, 5 })
        {
            var error = (factor[i].tril() - linalg.cholesky(matrices[i])).abs().max().item<double>();
            Assert.True(error < 1e-12 * n, $"item {i}: max |L - L_torch| = {error:E2}");
        }
        Assert.True(factor.isfinite().all().item<bool>(), "failed items must get a finite (identity) factor");
    }

    [InterleavedCholeskyTheory]
    [InlineData(9, 37, false)]   // two full groups (packed by 4×4 transposes) and a last group of 1
    [InlineData(8, 30, true)]    // full groups of a shared source
    [InlineData(12, 50, false)]  // three full groups: the first two fetch the next group's matrices while they factorise
    [InlineData(4, 24, false)]   // one full group
    public void FactorShifted_OfFullGroups_IsBitIdenticalToEachItemAlone_AndKeepsTheUpperTriangle(int batch, int n, bool shared)
    {
        // An item alone is a group of one (the lane-by-lane packing); in a batch it shares a full group (the
        // transposed packing): the same arithmetic on the same values, so the factors agree to the bit.
        using var scope = NewDisposeScope();
        var source = SpdBatch(shared ? 1 : batch, n, seed: 3 * n + batch);
        var shift = rand([batch, n], dtype: ScalarType.Float64, generator: new Generator(11));
        var destination = NotANumber(batch, n);
        var (factor, failed) = BatchedCholesky.FactorShifted(source, shift, destination);

        Assert.False(failed.any().item<bool>());
        for (int i = 0; i < batch; i++)
        {
            var alone = NotANumber(1, n);
            var itemSource = shared ? source : source[TensorIndex.Slice(i, i + 1)].contiguous();
            var (expected, _) = BatchedCholesky.FactorShifted(itemSource, shift[TensorIndex.Slice(i, i + 1)].contiguous(), alone);
            Assert.True(factor[i].tril().eq(expected[0].tril()).all().item<bool>(), $"item {i}: the factor differs from the item's factor alone");
            Assert.True(factor[i].triu(1).isnan().sum().item<long>() == n * (n - 1) / 2, $"item {i}: the strict upper triangle was written");
        }
    }

    [InterleavedCholeskyTheory]
    [InlineData(5, 24)]    // a full group and a last group of 1
    [InlineData(4, 37)]    // odd order: the last row alone
    [InlineData(6, 50)]    // both (j + 1) mod 4 cases of the paired columns, a last group of 2
    [InlineData(4, 100)]   // largest order
    public void Factor_OfTheInterleavedKernel_IsBitIdenticalToTheScalarRecurrence(int batch, int n)
    {
        // The kernel takes rows and columns in pairs so that dot products share their loads; every entry must still be
        // summed in the order of the plain recurrence below (four accumulators, the tail on the first), to the bit.
        using var scope = NewDisposeScope();
        var matrices = SpdBatch(batch, n, seed: 5 * n + batch);
        var (factor, failed) = BatchedCholesky.Factor(matrices.clone());

        Assert.False(failed.any().item<bool>());
        for (int item = 0; item < batch; item++)
        {
            var expected = ScalarRecurrence(matrices[item].data<double>().ToArray(), n);
            var actual = factor[item].data<double>().ToArray();
            for (int i = 0; i < n; i++)
                for (int j = 0; j <= i; j++)
                    Assert.True(BitConverter.DoubleToInt64Bits(expected[i * n + j]) == BitConverter.DoubleToInt64Bits(actual[i * n + j]),
                        $"item {item}, entry ({i},{j}): {actual[i * n + j]:R} against {expected[i * n + j]:R}");
        }
    }

    /// <summary>
    /// Cholesky–Banachiewicz row by row on one row-major matrix, l_ij = (a_ij − Σ_{k&lt;j} l_ik l_jk)·(1/l_jj), each sum
    /// over four accumulators (term k on accumulator k mod 4 while four terms remain, then on the first) added as
    /// (s0 + s1) + (s2 + s3): the rounding the interleaved kernel documents.
    /// </summary>
    private static double[] ScalarRecurrence(double[] a, int n)
    {
        var l = (double[])a.Clone();
        var inverse = new double[n];
        double Sum(int row, int column, int length)
        {
            var s = new double[4];
            int k = 0;
            for (; k + 4 <= length; k += 4)
                for (int q = 0; q < 4; q++) s[q] = Math.FusedMultiplyAdd(l[row * n + k + q], l[column * n + k + q], s[q]);
            for (; k < length; k++) s[0] = Math.FusedMultiplyAdd(l[row * n + k], l[column * n + k], s[0]);
            return (s[0] + s[1]) + (s[2] + s[3]);
        }
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < i; j++) l[i * n + j] = (l[i * n + j] - Sum(i, j, j)) * inverse[j];
            l[i * n + i] = Math.Sqrt(l[i * n + i] - Sum(i, i, i));
            inverse[i] = 1 / l[i * n + i];
        }
        return l;
    }

    /// <summary>A (batch,n,n) float64 tensor of NaNs: a destination whose untouched entries stay visible.</summary>
    private static Tensor NotANumber(int batch, int n) =>
        ScalarSafeOperations.With(double.NaN, s => full(new long[] { batch, n, n }, s, dtype: ScalarType.Float64));

    [Theory]
    [InlineData(5, 6, false, ScalarType.Float64)]    // LAPACK
    [InlineData(7, 30, false, ScalarType.Float64)]   // interleaved, a last group of 3
    [InlineData(6, 30, true, ScalarType.Float64)]    // interleaved, shared source
    [InlineData(3, 110, true, ScalarType.Float64)]   // LAPACK, shared source
    [InlineData(4, 12, false, ScalarType.Float32)]
    public void FactorShifted_EqualsFactorOfTheShiftedMatrices_AndFlagsFailures(int batch, int n, bool shared, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var source = SpdBatch(shared ? 1 : batch, n, seed: 17 + n).to_type(dtype);
        var shift = rand([batch, n], dtype: ScalarType.Float64, generator: new Generator(5)).to_type(dtype);
        shift[1, n / 2] = tensor(-1e6).to_type(dtype);   // makes item 1 indefinite
        var shifted = Batched.ExpandBatch(source, batch).Plus(diag_embed(shift));

        var destination = empty(batch, n, n, dtype: dtype);
        var (factor, failed) = BatchedCholesky.FactorShifted(source, shift, destination);
        var (expected, expectedFailed) = BatchedCholesky.Factor(shifted.contiguous().clone());

        Assert.Equal(expectedFailed.data<bool>().ToArray(), failed.data<bool>().ToArray());
        Assert.True(failed[1].item<bool>());
        AssertRelativeError(expected.tril(), factor.tril(), dtype == ScalarType.Float32 ? 1e-5 : 1e-12, "factor");
        // Only the lower triangle of a factor is defined (the destination was allocated uninitialised, so the strict
        // upper triangle of a successful item may hold anything, NaN included); a failed item's is the whole identity.
        Assert.True(factor[1].isfinite().all().item<bool>(), "failed items must get a finite (identity) factor");
        Assert.True(factor.tril().isfinite().all().item<bool>(), "factors must be finite");
    }

    [Theory]
    [InlineData(7, 30, false, ScalarType.Float64)]   // interleaved, no factor written, a last group of 3
    [InlineData(6, 30, true, ScalarType.Float64)]    // interleaved, shared source
    [InlineData(5, 6, false, ScalarType.Float64)]    // LAPACK
    [InlineData(4, 12, false, ScalarType.Float32)]
    public void FailsShifted_FlagsExactlyTheItemsWithANonPositivePivot(int batch, int n, bool shared, ScalarType dtype)
    {
        // A + diag(shift) with A SPD and shift ≥ 0 is positive definite; a shift of −(λ_max(A) + 1) on one diagonal entry
        // gives eᵢᵀ(A + diag(shift))eᵢ = a_ii − λ_max(A) − 1 < 0, so that item is indefinite, whatever the rounding.
        using var scope = NewDisposeScope();
        var source = SpdBatch(shared ? 1 : batch, n, seed: 29 + n).to_type(dtype);
        var shift = rand([batch, n], dtype: ScalarType.Float64, generator: new Generator(7)).to_type(dtype);
        var largest = linalg.eigvalsh(source.to_type(ScalarType.Float64)).amax(-1);
        foreach (int item in new[] { 1, batch - 1 })
            shift[item, item % n] = largest[shared ? 0 : item].Plus(1.0).neg().to_type(dtype);

        var failed = BatchedCholesky.FailsShifted(source, shift, batch);

        var expected = Enumerable.Range(0, batch).Select(i => i == 1 || i == batch - 1).ToArray();
        Assert.Equal(expected, failed.data<bool>().ToArray());
        var (_, factorFailed) = BatchedCholesky.FactorShifted(source, shift, empty(batch, n, n, dtype: dtype));
        Assert.Equal(factorFailed.data<bool>().ToArray(), failed.data<bool>().ToArray());
    }

    [Theory]
    [InlineData(5, 1, ScalarType.Float64)]    // shorter than one SIMD vector
    [InlineData(6, 13, ScalarType.Float64)]   // a vector tail
    [InlineData(3, 40, ScalarType.Float64)]
    [InlineData(4, 21, ScalarType.Float32)]
    public void Solve_MatchesLibtorchCholeskySolve_PerItemAndShared(int batch, int n, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var matrices = SpdBatch(batch, n, seed: 7 * n).to_type(dtype);
        var rhs = randn([batch, n], dtype: ScalarType.Float64, generator: new Generator(11)).to_type(dtype);
        double tolerance = dtype == ScalarType.Float32 ? 1e-4 : 1e-11;

        var (factor, _) = BatchedCholesky.Factor(matrices.clone());
        var perItem = BatchedCholesky.Solve(factor, rhs);
        var expected = linalg.solve(matrices, rhs.unsqueeze(-1)).squeeze(-1);
        AssertRelativeError(expected, perItem, tolerance, "per-item factor");

        var (sharedFactor, _) = BatchedCholesky.Factor(matrices[..1].clone());
        var shared = BatchedCholesky.Solve(sharedFactor, rhs);
        var expectedShared = linalg.solve(matrices[0], rhs.T).T;
        AssertRelativeError(expectedShared, shared, tolerance, "shared factor");
    }

    [Theory]
    [InlineData(4, 9, 6, ScalarType.Float64)]
    [InlineData(3, 50, 70, ScalarType.Float64)]
    [InlineData(9, 30, 13, ScalarType.Float64)]
    [InlineData(5, 12, 20, ScalarType.Float32)]
    public void SolveLowerRows_GivesRLInverseTransposed_PerItemAndShared(int batch, int n, int rows, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var matrices = SpdBatch(batch, n, seed: 5 * n).to_type(dtype);
        var r = randn([batch, rows, n], dtype: ScalarType.Float64, generator: new Generator(13)).to_type(dtype);
        double tolerance = dtype == ScalarType.Float32 ? 1e-4 : 1e-11;

        var (factor, _) = BatchedCholesky.Factor(matrices.clone());
        var v = BatchedCholesky.SolveLowerRows(factor, r);
        AssertRelativeError(r, v.bmm(factor.tril().transpose(1, 2)), tolerance, "per-item: V Lᵀ = R");
        var expected = r.bmm(linalg.solve(matrices, r.transpose(1, 2)));
        AssertRelativeError(expected, v.bmm(v.transpose(1, 2)), tolerance, "per-item: V Vᵀ = R H⁻¹ Rᵀ");

        var (sharedFactor, _) = BatchedCholesky.Factor(matrices[..1].clone());
        var shared = BatchedCholesky.SolveLowerRows(sharedFactor, r);
        AssertRelativeError(r, shared.matmul(sharedFactor[0].tril().T), tolerance, "shared factor: V Lᵀ = R");
    }

    /// <summary>
    /// Where the interleaved solve serves (float64, order 24 to 100), an item's V does not depend on the other items of
    /// its batch (its group's companions, or whether its group is full), and rows shared by the batch give the same V
    /// as the rows copied per item. Skipped where the interleaved kernels do not run (the gate is the interleaved
    /// Cholesky's) and on the tensor path, whose batched routines round differently per batch shape.
    /// </summary>
    [InterleavedCholeskyTheory]
    [InlineData(9, 30, 13)]
    [InlineData(6, 100, 20)]
    public void SolveLowerRows_ItemResultIndependentOfBatch(int batch, int n, int rows)
    {
        using var scope = NewDisposeScope();
        var (factor, _) = BatchedCholesky.Factor(SpdBatch(batch, n, seed: 7 * n));
        var r = randn([batch, rows, n], dtype: ScalarType.Float64, generator: new Generator(17));
        var v = BatchedCholesky.SolveLowerRows(factor, r);
        for (int i = 0; i < batch; i++)
        {
            var alone = BatchedCholesky.SolveLowerRows(factor[i..(i + 1)].contiguous(), r[i..(i + 1)].contiguous());
            Assert.True(alone.eq(v[i..(i + 1)]).all().item<bool>(), $"item {i} alone differs from item {i} in the batch");
        }

        var shared = BatchedCholesky.SolveLowerRows(factor, r[..1].contiguous());
        var copied = BatchedCholesky.SolveLowerRows(factor, r[..1].expand(batch, rows, n).contiguous());
        Assert.True(shared.eq(copied).all().item<bool>(), "shared rows differ from the rows copied per item");
        AssertRelativeError(r[..1].expand(batch, rows, n), shared.bmm(factor.tril().transpose(1, 2)), 1e-11, "shared rows: V Lᵀ = R");
    }

    private static void AssertRelativeError(Tensor expected, Tensor actual, double tolerance, string what)
    {
        double error = ((actual - expected).abs().max() / expected.abs().max().Plus(1L)).to_type(ScalarType.Float64).item<double>();
        Assert.True(error < tolerance, $"{what}: max |x - x_torch| / (1 + max |x_torch|) = {error:E2}");
    }

    private static Tensor SpdBatch(int batch, int n, int seed)
    {
        var generator = new Generator((ulong)seed);
        var l = randn([batch, n, n], dtype: ScalarType.Float64, generator: generator);
        return l.bmm(l.transpose(1, 2)).Plus(eye(n, dtype: ScalarType.Float64).Times(n)).contiguous();
    }
}
