using DiffOpt.Cones;
using Xunit;

namespace DiffOpt.Tests.Cones.Kernel;

/// <summary>The pool of per-item kernel buffers: reuse for the same shape only, nothing pooled for large items.</summary>
public sealed class ItemWorkspacePoolTests
{
    private static readonly Cone[] Cones = [new ZeroCone(1), new NonnegativeCone(2), new SecondOrderCone(3)];

    [Fact]
    public void Rent_ReusesReturnedWorkspace_ForTheSameShapeOnly()
    {
        const int m = 6, n = 9;
        var pool = new ItemWorkspacePool();
        var first = pool.Rent(Cones, m, n, hasP: false);
        pool.Return(first, Cones, m, n, hasP: false);
        var again = pool.Rent([.. Cones], m, n, hasP: false);   // an equal list, not the same one
        Assert.Same(first, again);
        pool.Return(again, Cones, m, n, hasP: false);
        Assert.NotSame(first, pool.Rent(Cones, m, n, hasP: true));
        Assert.NotSame(first, pool.Rent([new ZeroCone(1), new NonnegativeCone(5)], m, n, hasP: false));
    }

    [Fact]
    public void Workspace_HasTheItemsShapes()
    {
        var workspace = new ItemWorkspace(Cones, 6, 4, hasP: true);
        Assert.Equal(24, workspace.A.Length);
        Assert.Equal(24, workspace.ScaledA.Length);
        Assert.Equal(16, workspace.P!.Length);
        Assert.Equal(6, workspace.D.Length);
        Assert.Equal(4, workspace.E.Length);
        Assert.Equal(3, workspace.Cones.Length);
        Assert.Null(new ItemWorkspace(Cones, 6, 4, hasP: false).ScaledP);
    }

    [Fact]
    public void Pools_OnlySmallItems()
    {
        Assert.True(ItemWorkspacePool.Pools(110, 50));
        Assert.False(ItemWorkspacePool.Pools(1000, 500));
    }
}
