using DiffOpt.Cones;

namespace DiffOpt.Tests.Cones;

/// <summary>The public cone descriptions: the rows they cover, value equality and rejected sizes.</summary>
public class ConeDescriptionTests
{
    public static TheoryData<Cone, int> RowCases => new()
    {
        { new ZeroCone(3), 3 }, { new NonnegativeCone(4), 4 }, { new SecondOrderCone(5), 5 }, { new SecondOrderCone(1), 1 },
        { new PsdCone(1), 1 }, { new PsdCone(3), 6 }, { new ExponentialCone(1), 3 }, { new ExponentialCone(2), 6 },
    };

    [Theory]
    [MemberData(nameof(RowCases))]
    public void Rows_CountsTheRowsOfTheCone(Cone cone, int rows) => Assert.Equal(rows, cone.Rows);

    [Fact]
    public void Descriptions_AreValuesComparedBySize()
    {
        Assert.Equal(new PsdCone(3), new PsdCone(3));
        Assert.NotEqual<Cone>(new ZeroCone(3), new NonnegativeCone(3));
        Assert.NotEqual(new SecondOrderCone(3), new SecondOrderCone(4));
        var (dimension, order, count) = (new ZeroCone(2).Dimension, new PsdCone(4).Order, new ExponentialCone(5).Count);
        Assert.Equal((2, 4, 5), (dimension, order, count));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Constructor_ThrowsNamingTheParameter_WhenSizeIsNotPositive(int size)
    {
        var cases = new (Func<Cone> Create, string Parameter)[]
        {
            (() => new ZeroCone(size), "Dimension"), (() => new NonnegativeCone(size), "Dimension"),
            (() => new SecondOrderCone(size), "Dimension"), (() => new PsdCone(size), "Order"), (() => new ExponentialCone(size), "Count"),
        };
        foreach (var (create, parameter) in cases)
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => create());
            Assert.Equal(parameter, error.ParamName);
            Assert.Contains(size.ToString(), error.Message);
        }
    }
}
