using DiffOpt.LinearAlgebra;
using DiffOpt.Numerics;

namespace DiffOpt.Cones;

/// <summary>
/// A product of exponential cones in the CPU kernel (<see cref="ExponentialScaling"/>, <see cref="ExponentialInteriorPoint"/>):
/// per triple the Dahl–Andersen primal–dual scaling Hs (or the fallback μ∇²f*(z)), Fᵀ = L⁻¹ for Hs = LLᵀ, the
/// combined shift s + σμ∇f*(z), and the domain and central-path proximity tests of the step search. Each triple's
/// conjugate point −∇f*(z) is kept (<see cref="ExponentialConjugates"/>) for the iterate's z (set by <see cref="Scale"/>)
/// and for the last z the step search tried, which becomes the next iterate's when the step is taken, so that the
/// shift, the proximity and the next scaling repeat no Wright-omega solve. <paramref name="formsHalfInverse"/> sets
/// <see cref="HalfInverseUsed"/>.
/// </summary>
internal sealed class KernelExponentialCone(int offset, int count, bool formsHalfInverse = true) : DenseBlockCone(offset, 3 * count, 3)
{
    private static readonly double RootEpsilon = Math.Sqrt(2.2e-16);

    private readonly ExponentialConjugates _iterate = new(count), _tried = new(count);

    /// <inheritdoc />
    public override int Degree => Rows;

    /// <inheritdoc />
    public override bool IsSymmetric => false;

    /// <inheritdoc />
    public override void Unit(Span<double> e)
    {
        for (int i = 0; i < Rows; i++) e[i] = ExponentialInteriorPoint.CentralTriple[i % 3];
    }

    /// <summary>NaN: no closed form; the warm start searches along e instead.</summary>
    public override double InteriorShift(ReadOnlySpan<double> v) => double.NaN;

    /// <inheritdoc />
    public override bool Scale(ReadOnlySpan<double> s, ReadOnlySpan<double> z)
    {
        for (int t = 0; t < Rows; t += 3)
        {
            var h = H.AsSpan(3 * t, 9);
            if (_tried.Holds(z.Slice(t, 3), t)) _iterate.CopyFrom(_tried, t);
            else if (!_iterate.Compute(z.Slice(t, 3), t)) return false;
            ScaleTriple(s.Slice(t, 3), z.Slice(t, 3), _iterate.Point(t), _iterate.DualHessian(t), h, DualScaling);
            if (!SpanKernels.AllFinite(h)) return false;
            var f = FT.AsSpan(3 * t, 9);
            if (!HalfInverseUsed)
            {
                // The test the eigen path below makes, without Fᵀ: a positive diagonal entry bounds λ_max from below.
                if (!(h[0] > 0 || h[4] > 0 || h[8] > 0) && !EigenHalfInverse(h, f)) return false;
                continue;
            }
            h.CopyTo(f);
            if (!TripleCholesky.InverseFactor(f) && !EigenHalfInverse(h, f)) return false;
        }
        return true;
    }

    /// <summary>
    /// Whether <see cref="Scale"/> forms Fᵀ (Hs⁻¹ = FFᵀ) for <see cref="DenseBlockCone.HalfInverse"/> and
    /// <see cref="DenseBlockCone.MulHinv"/> (the reduced KKT form of <see cref="ItemKkt"/>); the full form of
    /// <see cref="SparseItemKkt"/> applies Hs only and is given cones without it (<see cref="HomogeneousItemSolver.Create"/>).
    /// Scale accepts and rejects the same scalings either way.
    /// </summary>
    public bool HalfInverseUsed { get; } = formsHalfInverse;

    /// <summary>The held conjugates of the triple at row <paramref name="t"/> for this z, or null.</summary>
    private ExponentialConjugates? Held(ReadOnlySpan<double> z, int t) =>
        _iterate.Holds(z, t) ? _iterate : _tried.Holds(z, t) ? _tried : null;

    /// <summary>
    /// Fᵀ = Λ^{−1/2}Qᵀ for Hs = QΛQᵀ, with eigenvalues below 1e-15·λ_max raised to it: near the optimum Hs can be
    /// positive definite yet fail a Cholesky factorisation by rounding; the KKT refinement uses Hs itself.
    /// </summary>
    private static bool EigenHalfInverse(ReadOnlySpan<double> h, Span<double> f)
    {
        Span<double> a = stackalloc double[9], values = stackalloc double[3], q = stackalloc double[9];
        h.CopyTo(a);
        if (!SmallDense.SymmetricEigen(a, 3, values, q)) return false;
        double largest = Math.Max(values[0], Math.Max(values[1], values[2]));
        if (!(largest > 0)) return false;
        for (int i = 0; i < 3; i++)
        {
            double scale = 1 / Math.Sqrt(Math.Max(values[i], 1e-15 * largest));
            for (int j = 0; j < 3; j++) f[3 * i + j] = scale * q[3 * j + i];
        }
        return true;
    }

    /// <summary>
    /// The weight of the third-order term in <see cref="CombinedShift"/> (the solver sets it each iteration: the affine
    /// step length, or 0 for the uncorrected direction).
    /// </summary>
    public double CorrectionWeight { get; set; }

    /// <summary>
    /// Whether <see cref="Scale"/> uses the dual scaling μ∇²f*(z) (μ = ⟨s, z⟩/3 per triple), the Jacobian of the
    /// central-path condition s + μ∇f*(z) = 0, instead of the primal–dual scaling: the polishing steps' Newton model.
    /// </summary>
    public bool DualScaling { get; set; }

    /// <summary>
    /// ds = s + σμ∇f*(z) − w·η with η = ½∇³f*(z)[Δz_a, (∇²f*(z))⁻¹Δs_a]
    /// (<see cref="ExponentialTriple.ThirdOrderTerm(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double})"/>)
    /// and w = <see cref="CorrectionWeight"/>; a triple whose η is not finite is not corrected.
    /// </summary>
    public override void CombinedShift(ReadOnlySpan<double> s, ReadOnlySpan<double> z, ReadOnlySpan<double> dsAffine,
        ReadOnlySpan<double> dzAffine, double sigmaMu, Span<double> shift)
    {
        Span<double> eta = stackalloc double[3];
        for (int t = 0; t < Rows; t += 3)
        {
            var g = shift.Slice(t, 3);
            var held = Held(z.Slice(t, 3), t);
            if (held is not null)
                for (int i = 0; i < 3; i++) g[i] = -held.Point(t)[i];
            else ExponentialTriple.DualGradient(z.Slice(t, 3), g);
            eta.Clear();
            if (CorrectionWeight != 0)
            {
                if (held is not null)
                    ExponentialTriple.ThirdOrderTerm(held.Point(t), held.DualHessian(t), held.Psi(t), held.Ratio(t),
                        dzAffine.Slice(t, 3), dsAffine.Slice(t, 3), eta);
                else ExponentialTriple.ThirdOrderTerm(z.Slice(t, 3), dzAffine.Slice(t, 3), dsAffine.Slice(t, 3), eta);
                if (!SpanKernels.AllFinite(eta)) eta.Clear();
            }
            for (int i = 0; i < 3; i++) g[i] = s[t + i] + sigmaMu * g[i] - CorrectionWeight * eta[i];
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Per triple in scalars, summed in <see cref="SmallGemv"/>'s order (so the results are the same bits): the
    /// reduced KKT solves apply Hs and Hs⁻¹ several times per refinement step, where the general kernel's argument
    /// checks and slicing cost more than the nine products.
    /// </remarks>
    public override void MulH(ReadOnlySpan<double> u, Span<double> hu)
    {
        for (int t = 0; t < Rows; t += 3)
        {
            var h = H.AsSpan(3 * t, 9);
            double u0 = u[t], u1 = u[t + 1], u2 = u[t + 2];
            hu[t] = Row(h[0], h[1], h[2], u0, u1, u2);
            hu[t + 1] = Row(h[3], h[4], h[5], u0, u1, u2);
            hu[t + 2] = Row(h[6], h[7], h[8], u0, u1, u2);
        }
    }

    /// <inheritdoc />
    /// <remarks>Hs⁻¹u = F(Fᵀu) per triple in scalars, in <see cref="SmallGemv"/>'s order (see <see cref="MulH"/>).</remarks>
    public override void MulHinv(ReadOnlySpan<double> u, Span<double> result)
    {
        for (int t = 0; t < Rows; t += 3)
        {
            var f = FT.AsSpan(3 * t, 9);
            double u0 = u[t], u1 = u[t + 1], u2 = u[t + 2];
            double w0 = Row(f[0], f[1], f[2], u0, u1, u2), w1 = Row(f[3], f[4], f[5], u0, u1, u2), w2 = Row(f[6], f[7], f[8], u0, u1, u2);
            result[t] = Row(w0, w1, w2, f[0], f[3], f[6]);
            result[t + 1] = Row(w0, w1, w2, f[1], f[4], f[7]);
            result[t + 2] = Row(w0, w1, w2, f[2], f[5], f[8]);
        }
    }

    /// <summary>((0 + a₀b₀) + a₁b₁) + a₂b₂: a dot product of three in <see cref="SmallGemv"/>'s rounding.</summary>
    private static double Row(double a0, double a1, double a2, double b0, double b1, double b2)
    {
        double sum = 0;
        sum += a0 * b0;
        sum += a1 * b1;
        sum += a2 * b2;
        return sum;
    }

    /// <summary>+∞: exponential steps are limited by the backtracking search instead.</summary>
    public override double StepToBoundary(ReadOnlySpan<double> v, ReadOnlySpan<double> dv) => double.PositiveInfinity;

    /// <summary>Whether every triple of s is in int K_exp and of z in int K_exp*.</summary>
    public bool InDomains(ReadOnlySpan<double> s, ReadOnlySpan<double> z)
    {
        for (int k = 0; k < Rows; k += 3)
        {
            int t = _lastOutside + k < Rows ? _lastOutside + k : _lastOutside + k - Rows;
            if (ExponentialTriple.InDomain(s.Slice(t, 3)) && ExponentialTriple.InDualDomain(z.Slice(t, 3))) continue;
            _lastOutside = t;
            return false;
        }
        return true;
    }

    /// <summary>The first row of the triple that last failed <see cref="InDomains"/> (the next test starts there).</summary>
    private int _lastOutside;

    /// <summary>
    /// ν(log μ + 1) + Σf(s) + Σf*(z), μ = ⟨s, z⟩/ν (<see cref="ExponentialInteriorPoint.Centrality"/>); NaN unless every
    /// triple of s is in int K_exp and of z in int K_exp* (so that it is also the step search's domain test).
    /// </summary>
    public double Centrality(ReadOnlySpan<double> s, ReadOnlySpan<double> z)
    {
        // Most trial points of the step search lie outside the domains (measured on the logistic layer: 3.2 of 4.2 trials
        // per step): the membership tests (a log per triple, the tests Value and Compute make) reject them before any
        // Wright-omega solve, starting at the triple that failed last, which usually fails again.
        if (!InDomains(s, z)) return double.NaN;
        double sz = 0, barrier = 0;
        for (int i = 0; i < Rows; i++) sz += s[i] * z[i];
        for (int t = 0; t < Rows; t += 3)
        {
            var held = Held(z.Slice(t, 3), t);
            if (held is null && !(held = _tried).Compute(z.Slice(t, 3), t)) return double.NaN;
            barrier += ExponentialTriple.Value(s.Slice(t, 3)) + held.Value(t);
        }
        return Degree * (Math.Log(sz / Degree) + 1) + barrier;
    }

    /// <summary>
    /// The triple's Hs (see <see cref="ExponentialScaling"/>) from z's conjugate point s̃ = −∇f*(z) and ∇²f*(z)
    /// (<paramref name="dual"/>); the dual scaling where <paramref name="dualScaling"/>.
    /// </summary>
    private static void ScaleTriple(ReadOnlySpan<double> s, ReadOnlySpan<double> z, ReadOnlySpan<double> sT, ReadOnlySpan<double> dual,
        Span<double> hs, bool dualScaling)
    {
        Span<double> zT = stackalloc double[3];
        Span<double> ds = stackalloc double[3], dz = stackalloc double[3], hz = stackalloc double[3];
        Span<double> t = stackalloc double[3], axis = stackalloc double[3], rem = stackalloc double[9];
        ExponentialTriple.Gradient(s, zT);
        for (int i = 0; i < 3; i++) zT[i] = -zT[i];
        double sz = Dot(s, z), mu = sz / 3, muT = Dot(sT, zT) / 3;
        for (int i = 0; i < 3; i++)
        {
            ds[i] = s[i] - mu * sT[i];
            dz[i] = z[i] - mu * zT[i];
        }
        double dsdz = Dot(ds, dz);
        for (int i = 0; i < 3; i++) hz[i] = dual[3 * i] * zT[0] + dual[3 * i + 1] * zT[1] + dual[3 * i + 2] * zT[2];
        for (int i = 0; i < 3; i++) t[i] = hz[i] - muT * sT[i];
        double curvature = Dot(zT, hz) - 3 * muT * muT;
        double remNorm2 = 0;
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                rem[3 * i + j] = dual[3 * i + j] - sT[i] * sT[j] / 3 - t[i] * t[j] / curvature;
                remNorm2 += rem[3 * i + j] * rem[3 * i + j];
            }
        axis[0] = z[1] * zT[2] - z[2] * zT[1];
        axis[1] = z[2] * zT[0] - z[0] * zT[2];
        axis[2] = z[0] * zT[1] - z[1] * zT[0];
        double axisNorm2 = Dot(axis, axis);
        double weight = mu * Math.Sqrt(remNorm2) / axisNorm2;
        bool finite = true;
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                hs[3 * i + j] = s[i] * s[j] / sz + ds[i] * ds[j] / dsdz + weight * axis[i] * axis[j];
                finite &= double.IsFinite(hs[3 * i + j]);
            }
        bool primalDual = !dualScaling && mu * muT - 1 > RootEpsilon && dsdz > 0 && curvature > 0 && axisNorm2 > 0 && finite;
        if (primalDual) return;
        for (int i = 0; i < 9; i++) hs[i] = mu * dual[i];
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
