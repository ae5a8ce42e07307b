using DiffOpt.Native;
using DiffOpt.Tests.TestSupport;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Native;

/// <summary>
/// <see cref="BufferPool{TKey}"/>: a set is lent to one call at a time and only once nothing reads what it handed out;
/// a slot is handed out once per lease; the pool keeps at most its capacity of keys. <see cref="BatchProducts"/> gives
/// matmul's bits (MKL on the test's thread only, see <see cref="DiffOpt.Tests.Qp.QpWorkspaceTests"/>).
/// </summary>
public sealed class BufferPoolTests : IDisposable
{
    private readonly int _mklThreads = NativeBlas.SetThreadsOfThisThread(1);

    public void Dispose() => NativeBlas.SetThreadsOfThisThread(_mklThreads);

    /// <summary>Equal shapes and entries (the same bits up to the sign of zero).</summary>
    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    private static readonly long[] Shape = [4, 8, 8];

    private static Tensor Take(BufferLease? lease, int slot = 0) => BufferLease.Empty(lease, slot, Shape, ScalarType.Float64, CPU);

    private static long Address(Tensor t) => (long)NativeLapack.DataPointer(t);

    [Fact]
    public void Set_IsLentAgain_OnlyOnceTheTensorsItHandedOutAreDisposed()
    {
        using var pool = new BufferPool<int>(capacity: 2);
        var lease = pool.Lease(1)!;
        var held = Take(lease);
        long address = Address(held);
        Assert.Null(pool.Lease(1)); // the call has not ended
        lease.EndCall();
        Assert.Null(pool.Lease(1)); // its tensor is alive

        held.Dispose();
        var again = pool.Lease(1);

        Assert.NotNull(again);
        Assert.Equal(address, Address(Take(again)));
        Assert.Equal(1, pool.Reuses);
    }

    [Fact]
    public void Release_FreesTheSet_WhileItsTensorsAreAlive()
    {
        using var pool = new BufferPool<int>(capacity: 1);
        var lease = pool.Lease(1)!;
        var held = Take(lease);
        lease.EndCall();
        lease.Release();

        Assert.NotNull(pool.Lease(1));
        Assert.False(held.IsInvalid);
    }

    [Fact]
    public void Slot_IsHandedOutOncePerLease()
    {
        using var pool = new BufferPool<int>(capacity: 1);
        var lease = pool.Lease(1)!;
        var (first, second, other) = (Take(lease), Take(lease), Take(lease, slot: 1));

        Assert.NotEqual(Address(first), Address(second));
        Assert.NotEqual(Address(first), Address(other));
    }

    [Fact]
    public void NewKey_ReplacesTheLeastRecentlyUsedFreeSet_AndIsRefusedWhenAllAreBusy()
    {
        using var pool = new BufferPool<int>(capacity: 2);
        var one = pool.Lease(1)!; one.EndCall();
        var two = pool.Lease(2)!; var busy = Take(two); two.EndCall();

        var three = pool.Lease(3)!; // replaces key 1, the free one
        var kept = Take(three); three.EndCall();
        Assert.Equal(2, pool.Count);
        Assert.Null(pool.Lease(4)); // keys 2 and 3 hold live tensors

        GC.KeepAlive(busy); GC.KeepAlive(kept);
    }

    [Fact]
    public void DisposedPool_LendsNothing_AndLeavesHandedOutTensorsReadable()
    {
        var pool = new BufferPool<int>(capacity: 1);
        var lease = pool.Lease(1)!;
        var held = Take(lease).FillInPlace(2.0);
        lease.EndCall();

        pool.Dispose();

        Assert.Null(pool.Lease(1));
        Assert.Equal(2.0 * held.numel(), held.sum().item<double>());
        Assert.Equal(Shape, Take(lease).shape); // a lease of a disposed pool hands out fresh memory
    }

    [KernelPathTheory]
    [InlineData(3, 30, 50)]
    [InlineData(2, 100, 20)]
    [InlineData(4, 30, 30)]
    [InlineData(1, 30, 50)]
    [InlineData(2, 7, 0)]
    public void BatchProducts_GiveTheBitsOfMatmul(int batch, int rows, int columns)
    {
        var generator = new TorchSharp.torch.Generator(11);
        var (left, right) = (randn([batch, rows, columns], ScalarType.Float64, generator: generator), randn([batch, rows, columns], ScalarType.Float64, generator: generator));
        var gram = empty(batch, rows, rows, ScalarType.Float64);
        var product = empty(batch, columns, columns, ScalarType.Float64);

        Assert.True(BatchProducts.Gram(left, gram));
        Assert.True(BatchProducts.TransposedProduct(left, right, product));

        Assert.True(Same(left.matmul(left.transpose(-1, -2)), gram));
        // The QP forms the transposed operand as an elementwise result of a transposed view, which keeps that layout.
        Assert.True(Same(left.transpose(-1, -2).Times(1.0).matmul(right), product));
    }
}
