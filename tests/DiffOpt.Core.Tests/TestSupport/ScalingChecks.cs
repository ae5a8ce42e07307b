using DiffOpt.Cones;
using DiffOpt.Native;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.TestSupport;

/// <summary>
/// Checks shared by the Nesterov–Todd scaling tests of the symmetric cones. Each takes interior pairs (s, z), logs
/// the worst error it measured and returns it. Errors are relative to max(1, ‖reference‖∞) per item.
/// </summary>
internal static class ScalingChecks
{
    /// <summary>
    /// W z = λ and W⁻ᵀ s = λ (and W⁻¹ s = λ when <paramref name="symmetric"/>), each to <paramref name="tolerance"/>;
    /// returns the worst of the two (three).
    /// </summary>
    public static double AssertScaledPoint(ISymmetricInteriorPointCone cone, Tensor s, Tensor z, bool symmetric, double tolerance,
        ITestOutputHelper output)
    {
        var w = cone.Scale(s, z);
        var checks = new List<(string, Tensor)> { ("W z", w.Apply(z)), ("W⁻ᵀ s", w.ApplyInverseTranspose(s)) };
        if (symmetric) checks.Add(("W⁻¹ s", w.ApplyInverse(s)));
        double worst = 0;
        foreach (var (what, value) in checks)
            worst = Math.Max(worst, AssertClose(w.Lambda, value, tolerance, output, $"{cone}: {what} = λ"));
        return worst;
    }

    /// <summary>
    /// The four operators agree with dense matrices built column by column from Apply: W⁻¹W = I, Wᵀ = (W)ᵀ,
    /// W⁻ᵀ = (W⁻¹)ᵀ; with <paramref name="symmetric"/>, W = Wᵀ. Returns the worst error.
    /// </summary>
    public static double AssertOperatorsConsistent(ISymmetricInteriorPointCone cone, Tensor s, Tensor z, bool symmetric, double tolerance,
        ITestOutputHelper output)
    {
        var w = cone.Scale(s, z);
        var dense = Dense(w.Apply, s);
        var inverse = Dense(w.ApplyInverse, s);
        var identity = eye(cone.Rows, dtype: s.dtype).expand(s.shape[0], -1, -1);
        double worst = AssertClose(identity, inverse.matmul(dense), tolerance, output, $"{cone}: W⁻¹W = I");
        worst = Math.Max(worst, AssertClose(dense.transpose(1, 2), Dense(w.ApplyTranspose, s), tolerance, output, $"{cone}: Wᵀ"));
        worst = Math.Max(worst, AssertClose(inverse.transpose(1, 2), Dense(w.ApplyInverseTranspose, s), tolerance, output, $"{cone}: W⁻ᵀ"));
        if (symmetric)
            worst = Math.Max(worst, AssertClose(dense, dense.transpose(1, 2), tolerance, output, $"{cone}: W = Wᵀ"));
        return worst;
    }

    /// <summary>
    /// Hs: DenseHs equals WᵀW formed densely from Apply, MulHs equals DenseHs times random vectors, Hs z = s, and Hs is
    /// symmetric positive definite. Returns the worst error.
    /// </summary>
    public static double AssertHs(ISymmetricInteriorPointCone cone, Tensor s, Tensor z, double tolerance, ITestOutputHelper output)
    {
        var w = cone.Scale(s, z);
        var dense = Dense(w.Apply, s);
        var hs = w.DenseHs();
        Assert.Equal(new[] { s.shape[0], cone.Rows, cone.Rows }, hs.shape);
        double worst = AssertClose(dense.transpose(1, 2).matmul(dense), hs, tolerance, output, $"{cone}: DenseHs = WᵀW");
        var u = randn_like(s);
        worst = Math.Max(worst, AssertClose(hs.matmul(u.unsqueeze(2)).squeeze(2), w.MulHs(u), tolerance, output, $"{cone}: MulHs = DenseHs·u"));
        worst = Math.Max(worst, AssertClose(s, w.MulHs(z), tolerance, output, $"{cone}: Hs z = s"));
        var smallest = linalg.eigvalsh(hs.Plus(hs.transpose(1, 2)).Times(0.5)).amin(1).min().item<double>();
        output.WriteLine($"{cone}: smallest eigenvalue of Hs {smallest:G4}");
        Assert.True(smallest > 0, $"Hs is not positive definite: eigenvalue {smallest:G4}");
        return worst;
    }

    /// <summary>
    /// W and W⁻¹ map interior points (the rows of <paramref name="points"/>) to interior points: the caller's
    /// independent margin (&gt; 0 exactly in the interior) stays positive. Returns the smallest relative margin.
    /// </summary>
    public static double AssertKeepsInterior(ISymmetricInteriorPointCone cone, Tensor s, Tensor z, Tensor points,
        Func<double[], double> margin, ITestOutputHelper output)
    {
        var w = cone.Scale(s, z);
        double smallest = double.PositiveInfinity;
        foreach (var (what, image) in new[] { ("W", w.Apply(points)), ("W⁻¹", w.ApplyInverse(points)), ("Wᵀ", w.ApplyTranspose(points)) })
        {
            foreach (var row in ConeChecks.Rows(image))
            {
                double relative = margin(row) / Math.Max(1e-300, row.Max(Math.Abs));
                smallest = Math.Min(smallest, relative);
                Assert.True(relative > 0, $"{cone}: {what} maps an interior point outside: [{string.Join(", ", row)}]");
            }
        }
        output.WriteLine($"{cone}: smallest relative margin of W(p), W⁻¹(p), Wᵀ(p) {smallest:G4}");
        return smallest;
    }

    /// <summary>λ ∘ (λ \ u) = u, λ \ (λ ∘ u) = u and e ∘ u = u for random u. Returns the worst error.</summary>
    public static double AssertJordan(ISymmetricInteriorPointCone cone, Tensor s, Tensor z, double tolerance, ITestOutputHelper output)
    {
        var lambda = cone.Scale(s, z).Lambda;
        var u = randn_like(s);
        var e = cone.UnitElement(s.dtype, s.device).expand(s.shape[0], -1);
        double worst = AssertClose(u, cone.JordanProduct(lambda, cone.JordanDivide(lambda, u)), tolerance, output, $"{cone}: λ∘(λ\\u) = u");
        worst = Math.Max(worst, AssertClose(u, cone.JordanDivide(lambda, cone.JordanProduct(lambda, u)), tolerance, output, $"{cone}: λ\\(λ∘u) = u"));
        worst = Math.Max(worst, AssertClose(u, cone.JordanProduct(e, u), tolerance, output, $"{cone}: e∘u = u"));
        return worst;
    }

    /// <summary>
    /// The centrality is 0 (to <paramref name="tolerance"/>) on the central path z = μ·(s \ e) and at s = z = e, and
    /// clearly positive (&gt; 1e-3) at the given (off-centre) pairs; ⟨s, z⟩ = ‖λ‖².
    /// </summary>
    public static void AssertCentrality(ISymmetricInteriorPointCone cone, Tensor s, Tensor z, double tolerance, ITestOutputHelper output)
    {
        var e = cone.UnitElement(s.dtype, s.device).expand(s.shape[0], -1).contiguous();
        var central = cone.JordanDivide(s, e).Times(0.7);
        double onPath = cone.Centrality(cone.Scale(s, central).Lambda).max().item<double>();
        double atUnit = cone.Centrality(cone.Scale(e, e).Lambda).max().item<double>();
        var lambda = cone.Scale(s, z).Lambda;
        double offPath = cone.Centrality(lambda).min().item<double>();
        double gap = ((InteriorPointArguments.Dot(s, z) - InteriorPointArguments.Dot(lambda, lambda)).abs()
            / InteriorPointArguments.Dot(s, z)).max().item<double>();
        output.WriteLine($"{cone}: centrality on the path {onPath:E2}, at e {atUnit:E2}, off the path ≥ {offPath:G4}; |⟨s,z⟩ − ‖λ‖²|/⟨s,z⟩ {gap:E2}");
        Assert.True(onPath <= tolerance && atUnit <= tolerance, $"centrality on the central path {onPath:G3}, at e {atUnit:G3}");
        Assert.True(offPath > 1e-3, $"centrality off the path {offPath:G3}");
        Assert.True(gap <= tolerance, $"⟨s, z⟩ ≠ ‖λ‖²: {gap:G3}");
    }

    /// <summary>Each item's λ and Hs in the batch equal the item's alone (to <paramref name="tolerance"/>).</summary>
    public static void AssertItemsIndependent(ISymmetricInteriorPointCone cone, Tensor s, Tensor z, double tolerance, ITestOutputHelper output)
    {
        var w = cone.Scale(s, z);
        double worst = 0;
        for (int i = 0; i < s.shape[0]; i++)
        {
            var alone = cone.Scale(s.narrow(0, i, 1), z.narrow(0, i, 1));
            worst = Math.Max(worst, (alone.Lambda - w.Lambda.narrow(0, i, 1)).abs().max().item<double>());
            worst = Math.Max(worst, (alone.DenseHs() - w.DenseHs().narrow(0, i, 1)).abs().max().item<double>());
        }
        output.WriteLine($"{cone}: batch vs items alone {worst:E2}");
        Assert.True(worst <= tolerance, $"batch item differs from the item alone by {worst:G3}");
    }

    /// <summary>float32 input gives float32 λ, Hs and W u close to float64 (relative <paramref name="tolerance"/>).</summary>
    public static void AssertFloat32(ISymmetricInteriorPointCone cone, Tensor s, Tensor z, double tolerance, ITestOutputHelper output)
    {
        var exact = cone.Scale(s, z);
        var single = cone.Scale(s.to(ScalarType.Float32), z.to(ScalarType.Float32));
        var u = randn_like(s);
        var pairs = new (string, Tensor, Tensor)[]
        {
            ("λ", exact.Lambda, single.Lambda), ("Hs", exact.DenseHs(), single.DenseHs()),
            ("W u", exact.Apply(u), single.Apply(u.to(ScalarType.Float32))),
            ("W⁻¹ u", exact.ApplyInverse(u), single.ApplyInverse(u.to(ScalarType.Float32))),
            ("λ\\u", cone.JordanDivide(exact.Lambda, u), cone.JordanDivide(single.Lambda, u.to(ScalarType.Float32))),
        };
        foreach (var (what, reference, rounded) in pairs)
        {
            Assert.Equal(ScalarType.Float32, rounded.dtype);
            AssertClose(reference, rounded.to(ScalarType.Float64), tolerance, output, $"{cone}: float32 {what}");
        }
    }

    /// <summary>Every entry point rejects a wrong shape or dtype with an ArgumentException naming the argument.</summary>
    public static void AssertArgumentsChecked(ISymmetricInteriorPointCone cone, Tensor s, Tensor z)
    {
        var wrongRows = zeros(s.shape[0], cone.Rows + 1, dtype: s.dtype);
        var wrongBatch = s.narrow(0, 0, 1);
        Assert.Equal("s", Assert.Throws<ArgumentException>(() => cone.Scale(wrongRows, z)).ParamName);
        Assert.Equal("z", Assert.Throws<ArgumentException>(() => cone.Scale(s, wrongRows)).ParamName);
        Assert.Equal("z", Assert.Throws<ArgumentException>(() => cone.Scale(s, z.to(ScalarType.Float32))).ParamName);
        Assert.Equal("z", Assert.Throws<ArgumentException>(() => cone.Scale(s, wrongBatch)).ParamName);
        Assert.Equal("s", Assert.Throws<ArgumentException>(() => cone.Scale(s.to(ScalarType.Int64), z)).ParamName);
        Assert.Equal("u", Assert.Throws<ArgumentException>(() => cone.JordanProduct(s, wrongRows)).ParamName);
        Assert.Equal("lambda", Assert.Throws<ArgumentException>(() => cone.JordanDivide(wrongRows, s)).ParamName);
        Assert.Equal("lambda", Assert.Throws<ArgumentException>(() => cone.Centrality(wrongRows)).ParamName);
        var w = cone.Scale(s, z);
        foreach (var apply in new Func<Tensor, Tensor>[] { w.Apply, w.ApplyTranspose, w.ApplyInverse, w.ApplyInverseTranspose, w.MulHs })
        {
            Assert.Equal("u", Assert.Throws<ArgumentException>(() => apply(wrongRows)).ParamName);
            Assert.Equal("u", Assert.Throws<ArgumentException>(() => apply(s.to(ScalarType.Float32))).ParamName);
        }
    }

    /// <summary>The dense (B, n, n) matrix of a batched linear map, column j = map(e_j) (like <paramref name="like"/>).</summary>
    public static Tensor Dense(Func<Tensor, Tensor> map, Tensor like)
    {
        long batch = like.shape[0], n = like.shape[1];
        var columns = new Tensor[n];
        for (int j = 0; j < n; j++)
        {
            var e = zeros_like(like);
            e.select(1, j).FillInPlace(1.0);
            columns[j] = map(e);
        }
        return stack(columns, 2);
    }

    /// <summary>Asserts max |actual − expected| / max(1, max |expected|) ≤ tolerance over the batch (per item) and logs it.</summary>
    public static double AssertClose(Tensor expected, Tensor actual, double tolerance, ITestOutputHelper output, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        var flatExpected = expected.to(ScalarType.Float64).reshape(expected.shape[0], -1);
        var flatActual = actual.to(ScalarType.Float64).reshape(actual.shape[0], -1);
        var error = ((flatActual - flatExpected).abs().amax(1) / flatExpected.abs().amax(1).AtLeast(1L)).max().item<double>();
        output.WriteLine($"{what}: worst relative error {error:E2}");
        Assert.True(error <= tolerance, $"{what}: relative error {error:G3} > {tolerance:G3}");
        return error;
    }
}
