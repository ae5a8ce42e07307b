using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Qp;

/// <summary>
/// Malformed arguments are rejected, by <see cref="QpSolver.Solve"/> and by <see cref="QpFunction.Apply"/>, with an
/// <see cref="ArgumentException"/> whose ParamName is the culprit and whose message names its shape or dtype and
/// what was expected. The valid problem the cases start from has n = 3, m = 2, k = 1, float64.
/// </summary>
public class InputValidationTests
{
    private sealed record Args(Tensor? Q, Tensor? P, Tensor? G, Tensor? H, Tensor? A, Tensor? B);

    private static Args Valid() => new(
        eye(3, dtype: ScalarType.Float64), ones(3, dtype: ScalarType.Float64),
        tensor(new[,] { { 1.0, 0, 0 }, { 0, 1.0, 0 } }), ones(2, dtype: ScalarType.Float64),
        tensor(new[,] { { 1.0, 1.0, 1.0 } }), ones(1, dtype: ScalarType.Float64));

    private static Tensor Poisoned(Tensor t, double value)
    {
        var copy = t.clone();
        copy.view(-1)[0] = value;
        return copy;
    }

    /// <summary>A tensor of the same shape and dtype on the meta device (a second device that every build has).</summary>
    private static Tensor OnMeta(Tensor t) => empty(t.shape, t.dtype, new Device(DeviceType.META));

    private static readonly Dictionary<string, Func<Args>> Cases = new()
    {
        ["Q of rank 1"] = () => Valid() with { Q = ones(3, dtype: ScalarType.Float64) },
        ["Q of rank 4"] = () => Valid() with { Q = ones(2, 2, 3, 3, dtype: ScalarType.Float64) },
        ["Q not square"] = () => Valid() with { Q = ones(3, 4, dtype: ScalarType.Float64) },
        ["batched Q not square"] = () => Valid() with { Q = ones(2, 4, 3, dtype: ScalarType.Float64) },
        ["Q not symmetric"] = () => Valid() with { Q = tensor(new[,] { { 1.0, 0.5, 0 }, { 0, 1.0, 0 }, { 0, 0, 1.0 } }) },
        ["p of rank 3"] = () => Valid() with { P = ones(2, 2, 3, dtype: ScalarType.Float64) },
        ["p of wrong length"] = () => Valid() with { P = ones(4, dtype: ScalarType.Float64) },
        ["G of rank 1"] = () => Valid() with { G = ones(3, dtype: ScalarType.Float64) },
        ["G with wrong column count"] = () => Valid() with { G = ones(2, 4, dtype: ScalarType.Float64) },
        ["h of wrong length"] = () => Valid() with { H = ones(3, dtype: ScalarType.Float64) },
        ["h of rank 3"] = () => Valid() with { H = ones(2, 2, 2, dtype: ScalarType.Float64) },
        ["A with wrong column count"] = () => Valid() with { A = ones(1, 2, dtype: ScalarType.Float64) },
        ["b of wrong length"] = () => Valid() with { B = ones(2, dtype: ScalarType.Float64) },
        ["p batch differs from Q batch"] = () => Valid() with { Q = eye(3, dtype: ScalarType.Float64).expand(2, 3, 3), P = ones(3, 3, dtype: ScalarType.Float64) },
        ["h batch differs from G batch"] = () => Valid() with { G = Valid().G!.expand(2, 2, 3), H = ones(4, 2, dtype: ScalarType.Float64) },
        ["b batch differs from p batch"] = () => Valid() with { P = ones(2, 3, dtype: ScalarType.Float64), B = ones(5, 1, dtype: ScalarType.Float64) },
        ["p float32 with Q float64"] = () => Valid() with { P = ones(3, dtype: ScalarType.Float32) },
        ["G float32 with Q float64"] = () => Valid() with { G = Valid().G!.to(ScalarType.Float32) },
        ["Q float32 with the others float64"] = () => Valid() with { Q = Valid().Q!.to(ScalarType.Float32) },
        ["G and h float32 with the others float64"] = () => Valid() with { G = Valid().G!.to(ScalarType.Float32), H = Valid().H!.to(ScalarType.Float32) },
        ["Q, p, G float32 with h, A, b float64"] = () => Valid() with { Q = Valid().Q!.to(ScalarType.Float32), P = Valid().P!.to(ScalarType.Float32), G = Valid().G!.to(ScalarType.Float32) },
        ["Q on another device than the others"] = () => Valid() with { Q = OnMeta(Valid().Q!) },
        ["b on another device than the others"] = () => Valid() with { B = OnMeta(Valid().B!) },
        ["Q of integer dtype"] = () => Valid() with { Q = eye(3, dtype: ScalarType.Int64) },
        ["p of integer dtype"] = () => Valid() with { P = ones(3, dtype: ScalarType.Int32) },
        ["G without h"] = () => Valid() with { H = null },
        ["h without G"] = () => Valid() with { G = null },
        ["A without b"] = () => Valid() with { B = null },
        ["b without A"] = () => Valid() with { A = null },
        ["NaN in Q"] = () => Valid() with { Q = Poisoned(Valid().Q!, double.NaN) },
        ["NaN in p"] = () => Valid() with { P = Poisoned(Valid().P!, double.NaN) },
        ["NaN in G"] = () => Valid() with { G = Poisoned(Valid().G!, double.NaN) },
        ["NaN in h"] = () => Valid() with { H = Poisoned(Valid().H!, double.NaN) },
        ["NaN in A"] = () => Valid() with { A = Poisoned(Valid().A!, double.NaN) },
        ["NaN in b"] = () => Valid() with { B = Poisoned(Valid().B!, double.NaN) },
        ["Inf in Q"] = () => Valid() with { Q = Poisoned(Valid().Q!, double.PositiveInfinity) },
        ["Inf in p"] = () => Valid() with { P = Poisoned(Valid().P!, double.NegativeInfinity) },
        ["Inf in G"] = () => Valid() with { G = Poisoned(Valid().G!, double.PositiveInfinity) },
        ["Inf in A"] = () => Valid() with { A = Poisoned(Valid().A!, double.NegativeInfinity) },
        ["Inf in b"] = () => Valid() with { B = Poisoned(Valid().B!, double.PositiveInfinity) },
    };

    /// <summary>Case name, the argument the error must name, and text the message must contain.</summary>
    public static TheoryData<string, string, string> Expectations => new()
    {
        { "Q of rank 1", "Q", "(3)" },
        { "Q of rank 4", "Q", "(2,2,3,3)" },
        { "Q not square", "Q", "(3,4)" },
        { "batched Q not square", "Q", "(2,4,3)" },
        { "Q not symmetric", "Q", "symmetric" },
        { "p of rank 3", "p", "(2,2,3)" },
        { "p of wrong length", "p", "(4)" },
        { "G of rank 1", "G", "(3)" },
        { "G with wrong column count", "G", "(2,4)" },
        { "h of wrong length", "h", "(3)" },
        { "h of rank 3", "h", "(2,2,2)" },
        { "A with wrong column count", "A", "(1,2)" },
        { "b of wrong length", "b", "(2)" },
        { "p batch differs from Q batch", "p", "batch size 3" },
        { "h batch differs from G batch", "h", "batch size 4" },
        { "b batch differs from p batch", "b", "batch size 5" },
        { "p float32 with Q float64", "p", "Float32" },
        { "G float32 with Q float64", "G", "Float32" },
        { "Q float32 with the others float64", "Q", "has dtype Float32; expected Float64 like p, G, h, A, b." },
        { "G and h float32 with the others float64", "G", "has dtype Float32; expected Float64 like Q, p, A, b." },
        { "Q, p, G float32 with h, A, b float64", "h", "has dtype Float64; expected Float32 like Q, p, G." },
        { "Q on another device than the others", "Q", "is on device meta; expected cpu like p, G, h, A, b." },
        { "b on another device than the others", "b", "is on device meta; expected cpu like Q, p, G, h, A." },
        { "Q of integer dtype", "Q", "Int64" },
        { "p of integer dtype", "p", "Int32" },
        { "G without h", "h", "'G'" },
        { "h without G", "G", "'h'" },
        { "A without b", "b", "'A'" },
        { "b without A", "A", "'b'" },
        { "NaN in Q", "Q", "NaN" },
        { "NaN in p", "p", "NaN" },
        { "NaN in G", "G", "NaN" },
        { "NaN in h", "h", "NaN" },
        { "NaN in A", "A", "NaN" },
        { "NaN in b", "b", "NaN" },
        { "Inf in Q", "Q", "infinite" },
        { "Inf in p", "p", "infinite" },
        { "Inf in G", "G", "infinite" },
        { "Inf in A", "A", "infinite" },
        { "Inf in b", "b", "infinite" },
    };

    [Fact]
    public void Expectations_CoverEveryCase()
    {
        Assert.Equal(Cases.Keys.Order(), Expectations.Select(row => (string)row[0]).Order());
    }

    [Fact]
    public void Solve_Succeeds_OnTheValidStartingProblem()
    {
        var a = Valid();
        Assert.True(new QpSolver().Solve(a.Q!, a.P!, a.G, a.H, a.A, a.B).AllSolved);
    }

    [Theory]
    [MemberData(nameof(Expectations))]
    public void Solve_ThrowsArgumentExceptionNamingTheArgument_ForMalformedInput(string name, string paramName, string messagePart)
    {
        var a = Cases[name]();
        var error = Assert.ThrowsAny<ArgumentException>(() => new QpSolver().Solve(a.Q!, a.P!, a.G, a.H, a.A, a.B));
        AssertNames(error, paramName, messagePart);
    }

    [Theory]
    [MemberData(nameof(Expectations))]
    public void Apply_ThrowsArgumentExceptionNamingTheArgument_ForMalformedInput(string name, string paramName, string messagePart)
    {
        var a = Cases[name]();
        var p = a.P is { } t && t.is_floating_point() ? t.requires_grad_() : a.P;
        var error = Assert.ThrowsAny<ArgumentException>(() => QpFunction.Apply(a.Q!, p!, a.G, a.H, a.A, a.B));
        AssertNames(error, paramName, messagePart);
    }

    [Theory]
    [InlineData("Q")]
    [InlineData("p")]
    public void Solve_ThrowsArgumentNullException_ForMissingQOrP(string missing)
    {
        var a = Valid();
        var error = Assert.Throws<ArgumentNullException>(() =>
            new QpSolver().Solve(missing == "Q" ? null! : a.Q!, missing == "p" ? null! : a.P!, a.G, a.H, a.A, a.B));
        Assert.Equal(missing, error.ParamName);
    }

    private static void AssertNames(ArgumentException error, string paramName, string messagePart)
    {
        Assert.Equal(paramName, error.ParamName);
        Assert.Contains(messagePart, error.Message);
        Assert.Contains($"'{paramName}'", error.Message);
    }
}
