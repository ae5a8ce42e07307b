using DiffOpt.Modeling;

namespace DiffOpt.Tests.Modeling;

/// <summary><see cref="StableKeySort"/> sorts the keys and keeps the items of equal keys in their order.</summary>
public class StableKeySortTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(1000)]
    public void Sort_IsAscending_AndStable(int n)
    {
        var random = new Random(n);
        var keys = Enumerable.Range(0, n).Select(_ => (long)random.Next(-20, 20) << 33).ToArray();
        var items = Enumerable.Range(0, n).ToArray();
        // LINQ's OrderBy is documented as stable: the reference order.
        var expected = keys.Select((key, item) => (key, item)).OrderBy(t => t.key).ToArray();

        StableKeySort.Sort(keys, items);

        Assert.Equal(expected.Select(t => t.key), keys);
        Assert.Equal(expected.Select(t => t.item), items);
    }

    [Fact]
    public void Sort_LeavesSortedInputAsItIs()
    {
        long[] keys = [1, 1, 2, 5, 5, 5];
        int[] items = [4, 0, 3, 2, 1, 5];
        StableKeySort.Sort(keys, items);
        Assert.Equal(new long[] { 1, 1, 2, 5, 5, 5 }, keys);
        Assert.Equal(new[] { 4, 0, 3, 2, 1, 5 }, items);
    }
}
