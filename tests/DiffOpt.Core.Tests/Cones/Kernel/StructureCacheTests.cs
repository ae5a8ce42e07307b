using DiffOpt.Cones;

namespace DiffOpt.Tests.Cones.Kernel;

/// <summary>
/// The cache of structure-only analyses (<see cref="StructureCache{T}"/>): a value is computed once per structure
/// (cones, n, the masks of A and P, the variant) and reused, any difference in the structure computes anew, the kept
/// masks are copies, and the least recently used structure is dropped beyond the capacity.
/// </summary>
public class StructureCacheTests
{
    private static readonly Cone[] Cones = [new ZeroCone(1), new NonnegativeCone(2)];

    [Fact]
    public void SameStructure_ReusesTheValue_AndAnyDifference_ComputesAnew()
    {
        var cache = new StructureCache<object>();
        int computed = 0;
        object Create() => new { Index = ++computed };
        bool[] a = [true, false, true, true, false, true];   // m = 3, n = 2
        bool[] p = [true, false, false, true];
        var first = cache.GetOrAdd(Cones, 2, a, p, 0, Create);
        // Equal by value, not by reference: new cone records and new mask arrays.
        Assert.Same(first, cache.GetOrAdd([new ZeroCone(1), new NonnegativeCone(2)], 2, (bool[])a.Clone(), (bool[])p.Clone(), 0, Create));
        Assert.Equal(1, computed);
        Assert.NotSame(first, cache.GetOrAdd([new ZeroCone(1), new SecondOrderCone(2)], 2, a, p, 0, Create));
        Assert.NotSame(first, cache.GetOrAdd(Cones, 2, [true, false, true, true, false, false], p, 0, Create));
        Assert.NotSame(first, cache.GetOrAdd(Cones, 2, a, null, 0, Create));
        Assert.Equal(4, computed);
        // Over capacity: the variants push the first structure out.
        for (int variant = 1; variant <= StructureCache<object>.Capacity; variant++) cache.GetOrAdd(Cones, 2, a, p, variant, Create);
        int before = computed;
        Assert.NotSame(first, cache.GetOrAdd(Cones, 2, a, p, 0, Create));
        Assert.Equal(before + 1, computed);
    }

    [Fact]
    public void KeptMasks_AreCopies()
    {
        var cache = new StructureCache<object>();
        bool[] a = [true, false, true, true, false, true];
        var first = cache.GetOrAdd(Cones, 2, a, null, 0, () => new object());
        a[1] = true;   // the caller reuses its array for another structure
        Assert.NotSame(first, cache.GetOrAdd(Cones, 2, a, null, 0, () => new object()));
        Assert.Same(first, cache.GetOrAdd(Cones, 2, [true, false, true, true, false, true], null, 0, () => new object()));
    }

    [Fact]
    public void KktChoice_IsTheSameAsAFreshOne_ForEachMask()
    {
        const int n = 200, m = 400;
        var cones = new Cone[] { new ZeroCone(10), new NonnegativeCone(m - 10) };
        var sparse = SparseKktPathTests.ThreePerRow(m, n, new Random(5));
        var chosen = SparseKktPattern.Choose(cones, 1, m, n, sparse, null, KktPath.Auto);
        Assert.NotNull(chosen);
        // A second batch of the same structure (other values) gets the same pattern; another structure its own.
        var scaled = sparse.Select(v => 2 * v).ToArray();
        Assert.Same(chosen, SparseKktPattern.Choose(cones, 1, m, n, scaled, null, KktPath.Auto));
        var other = (double[])sparse.Clone();
        int row = Enumerable.Range(0, m).First(i => other[i * n] == 0);
        other[row * n] = 1;
        var changed = SparseKktPattern.Choose(cones, 1, m, n, other, null, KktPath.Auto);
        Assert.NotNull(changed);
        Assert.NotSame(chosen, changed);
        Assert.Equal(chosen!.ASupport.Columns.Length + 1, changed!.ASupport.Columns.Length);
    }
}
