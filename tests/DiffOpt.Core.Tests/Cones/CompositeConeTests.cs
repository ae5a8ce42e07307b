using DiffOpt.Cones;
using DiffOpt.Native;
using DiffOpt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones;

/// <summary>The product of cones over the rows of A: row ranges, blockwise operations, validation and argument errors.</summary>
public class CompositeConeTests(ITestOutputHelper output)
{
    private static readonly Cone[] Cones =
        [new ZeroCone(2), new NonnegativeCone(3), new SecondOrderCone(3), new PsdCone(2), new ExponentialCone(2)];

    private static readonly CompositeCone Product = new(Cones);

    private static Tensor RandomBatch(int seed, int batch = 6)
    {
        var random = new ProblemGenerator(seed);
        return ConeChecks.Batch(Enumerable.Range(0, batch).Select(_ => random.NormalVector(Product.Rows).Map(x => 2 * x).ToArray()).ToList());
    }

    [Fact]
    public void Constructor_AssignsConsecutiveRowRangesInTheOrderGiven()
    {
        Assert.Equal(17, Product.Rows);
        Assert.Equal(new[] { 0, 2, 5, 8, 11 }, Product.Offsets);
        Assert.Equal(Cones, Product.Cones);
    }

    [Fact]
    public void ProjectAndProjectDual_ApplyEachConeToItsRows()
    {
        var v = RandomBatch(751);
        var projected = Product.Project(v);
        var dual = Product.ProjectDual(v);
        for (int i = 0; i < Cones.Length; i++)
        {
            var cone = ConeMath.For(Cones[i]);
            var block = v.narrow(1, Product.Offsets[i], Cones[i].Rows);
            Assert.Equal(0, (projected.narrow(1, Product.Offsets[i], Cones[i].Rows) - cone.Project(block)).abs().max().item<double>());
            Assert.Equal(0, (dual.narrow(1, Product.Offsets[i], Cones[i].Rows) - cone.ProjectDual(block)).abs().max().item<double>());
        }
    }

    [Fact]
    public void Project_SatisfiesMoreauDecomposition_ForTheProduct()
    {
        var v = RandomBatch(752);
        var p = Product.Project(v);
        var d = Product.ProjectDual(-v);
        Assert.All(Product.Contains(p, 1e-12).data<bool>().ToArray(), Assert.True);
        Assert.All(Product.ContainsDual(d, 1e-12).data<bool>().ToArray(), Assert.True);
        double identity = (v - p).Plus(d).abs().max().item<double>();
        double gap = (p * d).sum(1).abs().max().item<double>() / v.pow(ScalarSafeOperations.Two).sum(1).max().item<double>();
        output.WriteLine($"v − p + d {identity:E2}, ⟨p, d⟩/‖v‖² {gap:E2}");
        Assert.True(identity <= 1e-14 && gap <= 1e-13);
    }

    [Fact]
    public void ProjectDerivative_IsBlockDiagonal_AndMatchesFiniteDifferences()
    {
        var v = RandomBatch(753);
        var dense = Product.ProjectDerivative(v).Dense();
        for (int i = 0; i < Cones.Length; i++)
        {
            var rows = dense.narrow(1, Product.Offsets[i], Cones[i].Rows);
            var block = ConeMath.For(Cones[i]).ProjectDerivative(v.narrow(1, Product.Offsets[i], Cones[i].Rows)).Dense();
            Assert.Equal(0, (rows.narrow(2, Product.Offsets[i], Cones[i].Rows) - block).abs().max().item<double>());
            var outside = rows.clone();
            outside.narrow(2, Product.Offsets[i], Cones[i].Rows).zero_();
            Assert.Equal(0, outside.abs().max().item<double>());
        }
        ConeChecks.AssertDerivativesMatchFiniteDifferences(Product, v, 1e-6, output);
        ConeChecks.AssertDerivativesStructure(Product, v, 1e-13, output);
    }

    [Fact]
    public void Contains_FailsAnItemWhenAnyOneConeFails()
    {
        var inside = Product.Project(RandomBatch(754, Cones.Length + 1));
        for (int i = 0; i < Cones.Length; i++)
            inside[i + 1, Product.Offsets[i] + Cones[i].Rows - 1] = tensor(-5.0);   // pushes the last row of cone i out
        var flags = Product.Contains(inside, 1e-12).data<bool>().ToArray();
        Assert.Equal(new[] { true, false, false, false, false, false }, flags);
    }

    [Fact]
    public void StepToBoundary_IsTheSmallestStepOfTheCones()
    {
        var random = new ProblemGenerator(755);
        var s = Product.Project(RandomBatch(756)).Plus(ConeChecks.Batch(Enumerable.Range(0, 6).Select(_ => Interior()).ToArray()));
        var ds = RandomBatch(757);
        ds.narrow(1, 0, 2).zero_();                                        // an interior-point method keeps s = 0 on zero rows
        ds[1] = zeros(Product.Rows, dtype: ScalarType.Float64);            // no motion: unbounded
        ConeChecks.AssertStep(Product, s, ds, new HashSet<int> { 1 }, output);
        var alpha = Product.StepToBoundary(s, ds);
        for (int i = 1; i < Cones.Length; i++)
        {
            var cone = ConeMath.For(Cones[i]);
            var blockStep = cone.StepToBoundary(s.narrow(1, Product.Offsets[i], Cones[i].Rows), ds.narrow(1, Product.Offsets[i], Cones[i].Rows));
            Assert.True((alpha <= blockStep).all().item<bool>(), $"the product's step exceeds {Cones[i]}'s");
        }

        double[] Interior() =>
        [
            0, 0, .. random.UniformVector(3, 0.5, 1).ToArray(), 2, 0, 0, 1, 0, 1, -1, 1, 1, -1, 1, 1,
        ];
    }

    [Fact]
    public void Validate_AcceptsCones_ThatCoverExactlyTheRowsOfA()
    {
        CompositeCone.Validate(Cones, 17);
        CompositeCone.Validate([], 0);
    }

    [Fact]
    public void Validate_ThrowsNamingCones_WhenSizesDoNotAddUpToTheRowsOfA()
    {
        var error = Assert.Throws<ArgumentException>(() => CompositeCone.Validate(Cones, 18));
        Assert.Equal("cones", error.ParamName);
        Assert.Contains("cover 17 rows", error.Message);
        Assert.Contains("A has 18 rows", error.Message);
        Assert.Contains("PsdCone", error.Message);
    }

    [Fact]
    public void ValidateAndConstructor_ThrowNamingCones_WhenAConeIsNull()
    {
        Cone[] withNull = [new ZeroCone(1), null!, new NonnegativeCone(2)];
        var error = Assert.Throws<ArgumentException>(() => CompositeCone.Validate(withNull, 3));
        Assert.Equal("cones", error.ParamName);
        Assert.Contains("cones[1] is null", error.Message);
        Assert.Equal("cones", Assert.Throws<ArgumentException>(() => new CompositeCone(withNull)).ParamName);
        Assert.Equal("cones", Assert.Throws<ArgumentNullException>(() => CompositeCone.Validate(null!, 3)).ParamName);
    }

    [Fact]
    public void Operations_ThrowNamingTheArgument_WhenShapeOrDtypeIsWrong()
    {
        var wrongWidth = Assert.Throws<ArgumentException>(() => Product.Project(zeros(2, 16, dtype: ScalarType.Float64)));
        Assert.Equal("v", wrongWidth.ParamName);
        Assert.Contains("(B, 17)", wrongWidth.Message);
        Assert.Contains("[2, 16]", wrongWidth.Message);
        Assert.Equal("v", Assert.Throws<ArgumentException>(() => Product.ProjectDerivative(zeros(17, dtype: ScalarType.Float64))).ParamName);
        Assert.Equal("s", Assert.Throws<ArgumentException>(() => Product.Contains(zeros(2, 17, dtype: ScalarType.Int64), 0)).ParamName);
        var s = zeros(2, 17, dtype: ScalarType.Float64);
        Assert.Equal("ds", Assert.Throws<ArgumentException>(() => Product.StepToBoundary(s, zeros(3, 17, dtype: ScalarType.Float64))).ParamName);
        Assert.Equal("v", Assert.Throws<ArgumentException>(() => ConeMath.For(new PsdCone(3)).Project(zeros(1, 5, dtype: ScalarType.Float64))).ParamName);
        var derivative = Product.ProjectDerivative(zeros(2, 17, dtype: ScalarType.Float64));
        var wrongDirection = Assert.Throws<ArgumentException>(() => derivative.Apply(zeros(2, 16, dtype: ScalarType.Float64)));
        Assert.Equal("d", wrongDirection.ParamName);
        Assert.Contains("(B, 17)", wrongDirection.Message);
    }

    [Fact]
    public void EmptyProduct_HasNoRows_AndNeverLimitsTheStep()
    {
        var empty = new CompositeCone([]);
        var v = zeros(3, 0, dtype: ScalarType.Float64);
        Assert.Equal(0, empty.Rows);
        Assert.Equal(new long[] { 3, 0 }, empty.Project(v).shape);
        Assert.All(empty.Contains(v, 0).data<bool>().ToArray(), Assert.True);
        Assert.All(empty.StepToBoundary(v, v).data<double>().ToArray(), a => Assert.True(double.IsPositiveInfinity(a)));
    }

    [Fact]
    public void Float32Input_GivesFloat32ResultsCloseToFloat64()
    {
        ConeChecks.AssertFloat32MatchesFloat64(Product, RandomBatch(758), 1e-4, output);
    }
}
