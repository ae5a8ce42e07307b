namespace DiffOpt.Cones;

/// <summary>
/// A second-order cone in the CPU kernel (<see cref="SecondOrderScaling"/>, <see cref="SecondOrderInteriorPoint"/>):
/// the NT scaling W = η[a, qᵀ; q, I + qqᵀ/(1 + a)] (symmetric), Hs = W² = η²(2w̄w̄ᵀ − J) and Fᵀ = W⁻¹ (Hs⁻¹ = W⁻¹W⁻¹),
/// one dense block in the KKT matrices but applied in O(Rows) from these rank-one-plus-diagonal forms (never stored densely).
/// </summary>
internal sealed class KernelSecondOrderCone : KernelCone
{
    private readonly double[] _q;
    private readonly double[] _lambda;
    private readonly double[] _t1, _t2, _t3, _half;
    private double[] _combination = [];
    private double _eta, _a;

    /// <summary>A cone of <paramref name="rows"/> rows at <paramref name="offset"/>.</summary>
    public KernelSecondOrderCone(int offset, int rows) : base(offset, rows)
    {
        _half = new double[rows];
        _q = new double[rows - 1];
        _lambda = new double[rows];
        _t1 = new double[rows];
        _t2 = new double[rows];
        _t3 = new double[rows];
    }

    /// <inheritdoc />
    public override int Degree => 1;

    /// <inheritdoc />
    public override int BlockSize => Rows;

    /// <inheritdoc />
    public override void Unit(Span<double> e)
    {
        e[..Rows].Clear();
        e[0] = 1;
    }

    /// <inheritdoc />
    public override double InteriorShift(ReadOnlySpan<double> v)
    {
        double norm2 = 0;
        for (int i = 1; i < Rows; i++) norm2 += v[i] * v[i];
        return Math.Sqrt(norm2) - v[0];
    }

    /// <inheritdoc />
    public override bool Scale(ReadOnlySpan<double> s, ReadOnlySpan<double> z)
    {
        int r = Rows;
        double sJs = JNorm2(s), zJz = JNorm2(z);
        if (!(sJs > 0) || !(zJz > 0) || !(s[0] > 0) || !(z[0] > 0)) return false;
        double sRoot = Math.Sqrt(sJs), zRoot = Math.Sqrt(zJz);
        double dot = 0;
        for (int i = 0; i < r; i++) dot += s[i] / sRoot * (z[i] / zRoot);
        double gamma = Math.Sqrt((1 + dot) / 2);
        _a = (s[0] / sRoot + z[0] / zRoot) / (2 * gamma);
        for (int i = 1; i < r; i++) _q[i - 1] = (s[i] / sRoot - z[i] / zRoot) / (2 * gamma);
        _eta = Math.Sqrt(Math.Sqrt(sJs / zJz));
        if (!double.IsFinite(_a) || !double.IsFinite(_eta)) return false;
        Multiply(z, 1, _lambda);
        return true;
    }

    /// <summary>hu = Hs·u = η²(2w̄(w̄ᵀu) − Ju), w̄ = (a, q).</summary>
    public override void MulH(ReadOnlySpan<double> u, Span<double> hu)
    {
        int r = Rows;
        double wu = _a * u[0];
        for (int i = 1; i < r; i++) wu += _q[i - 1] * u[i];
        double eta2 = _eta * _eta;
        hu[0] = eta2 * (2 * _a * wu - u[0]);
        for (int i = 1; i < r; i++) hu[i] = eta2 * (2 * _q[i - 1] * wu + u[i]);
    }

    /// <summary>result = Hs⁻¹·u = W⁻¹(W⁻¹·u).</summary>
    public override void MulHinv(ReadOnlySpan<double> u, Span<double> result)
    {
        Multiply(u, -1, _half);
        Multiply(_half, -1, result);
    }

    /// <summary>|Hs|·u entry by entry from Hs = η²(2w̄w̄ᵀ − J), w̄ = (a, q) (rare: the KKT solve's backward error).</summary>
    public override void MulAbsH(ReadOnlySpan<double> u, Span<double> result)
    {
        int r = Rows;
        double eta2 = _eta * _eta;
        for (int i = 0; i < r; i++)
        {
            double wi = i == 0 ? _a : _q[i - 1], sum = 0;
            for (int j = 0; j < r; j++)
            {
                double wj = j == 0 ? _a : _q[j - 1];
                double sign = i == j ? (i == 0 ? 1 : -1) : 0;
                sum += Math.Abs(eta2 * (2 * wi * wj - sign)) * u[j];
            }
            result[i] = sum;
        }
    }

    /// <summary>
    /// G = W⁻¹A from W⁻¹'s arrow-plus-rank-one form in O(Rows·n) rather than the dense block's O(Rows²·n): with
    /// v = Σᵢ qᵢAᵢ (i ≥ 1) and u = v/(1 + a) − A₀, G₀ = (aA₀ − v)/η and Gᵢ = (Aᵢ + qᵢu)/η.
    /// </summary>
    public override void HalfInverse(ReadOnlySpan<double> a, Span<double> g, int n)
    {
        int r = Rows;
        if (_combination.Length != n) _combination = new double[n];
        var v = _combination.AsSpan();
        v.Clear();
        for (int i = 1; i < r; i++) Numerics.SpanKernels.AddScaled(_q[i - 1], a.Slice(i * n, n), v);
        var head = a[..n];
        double inverseEta = 1 / _eta, shrink = 1 / (1 + _a);
        var first = g[..n];
        for (int j = 0; j < n; j++)
        {
            double vj = v[j];
            first[j] = (_a * head[j] - vj) * inverseEta;
            v[j] = vj * shrink - head[j];   // u
        }
        for (int i = 1; i < r; i++)
        {
            double qi = _q[i - 1];
            var row = a.Slice(i * n, n);
            var target = g.Slice(i * n, n);
            for (int j = 0; j < n; j++) target[j] = (row[j] + qi * v[j]) * inverseEta;
        }
    }

    /// <inheritdoc />
    public override void CombinedShift(ReadOnlySpan<double> s, ReadOnlySpan<double> z, ReadOnlySpan<double> dsAffine,
        ReadOnlySpan<double> dzAffine, double sigmaMu, Span<double> shift)
    {
        // ds = W(λ \ (λ∘λ + η − σμe)), η = (W⁻¹Δs_a)∘(WΔz_a).
        Multiply(dsAffine, -1, _t1);
        Multiply(dzAffine, 1, _t2);
        Jordan(_t1, _t2, _t3);
        Jordan(_lambda, _lambda, _t1);
        for (int i = 0; i < Rows; i++) _t1[i] += double.IsFinite(_t3[i]) ? _t3[i] : 0;
        _t1[0] -= sigmaMu;
        Divide(_lambda, _t1, _t2);
        Multiply(_t2, 1, shift);
    }

    /// <inheritdoc />
    public override double StepToBoundary(ReadOnlySpan<double> v, ReadOnlySpan<double> dv)
    {
        double t = v[0], dt = dv[0], norm2 = 0, du2 = 0, udu = 0;
        for (int i = 1; i < Rows; i++)
        {
            norm2 += v[i] * v[i];
            du2 += dv[i] * dv[i];
            udu += v[i] * dv[i];
        }
        double norm = Math.Sqrt(norm2);
        if (norm > t) return 0;
        double a = dt * dt - du2, b = 2 * (t * dt - udu), c = (t - norm) * (t + norm);
        double discriminant = b * b - 4 * a * c;
        if (discriminant < 0) return double.PositiveInfinity;
        double root = Math.Sqrt(discriminant);
        double q = -b - (b >= 0 ? root : -root);
        double r1 = q / (2 * a), r2 = 2 * c / q;
        double alpha = double.PositiveInfinity;
        if (r1 > 0) alpha = r1;
        if (r2 > 0) alpha = Math.Min(alpha, r2);
        return alpha;
    }

    /// <summary>W·u (σ = 1) or W⁻¹·u (σ = −1).</summary>
    private void Multiply(ReadOnlySpan<double> u, int sigma, Span<double> result)
    {
        int r = Rows;
        double qu = 0;
        for (int i = 1; i < r; i++) qu += _q[i - 1] * u[i];
        double factor = sigma > 0 ? _eta : 1 / _eta;
        double u0 = u[0];
        result[0] = factor * (_a * u0 + sigma * qu);
        // Rows i ≥ 1: uᵢ + qᵢ(σu₀ + qᵀu/(1 + a)), the bracket formed once.
        double along = sigma * u0 + qu / (1 + _a);
        for (int i = 1; i < r; i++) result[i] = factor * (u[i] + _q[i - 1] * along);
    }

    /// <summary>x∘y = (xᵀy, x₀y₁ + y₀x₁).</summary>
    private void Jordan(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> result)
    {
        double dot = 0;
        for (int i = 0; i < Rows; i++) dot += x[i] * y[i];
        for (int i = 1; i < Rows; i++) result[i] = x[0] * y[i] + y[0] * x[i];
        result[0] = dot;
    }

    /// <summary>λ \ u (<see cref="SecondOrderInteriorPoint.JordanDivide"/>).</summary>
    private void Divide(ReadOnlySpan<double> l, ReadOnlySpan<double> u, Span<double> result)
    {
        double norm2 = 0, nu = 0;
        for (int i = 1; i < Rows; i++)
        {
            norm2 += l[i] * l[i];
            nu += l[i] * u[i];
        }
        double norm = Math.Sqrt(norm2);
        double rho = (l[0] - norm) * (l[0] + norm);
        double head = (l[0] * u[0] - nu) / rho;
        double coefficient = (nu / l[0] - u[0]) / rho;
        for (int i = 1; i < Rows; i++) result[i] = coefficient * l[i] + u[i] / l[0];
        result[0] = head;
    }

    private double JNorm2(ReadOnlySpan<double> v)
    {
        double norm2 = 0;
        for (int i = 1; i < Rows; i++) norm2 += v[i] * v[i];
        double norm = Math.Sqrt(norm2);
        return (v[0] - norm) * (v[0] + norm);
    }
}
