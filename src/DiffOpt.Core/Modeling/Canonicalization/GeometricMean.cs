namespace DiffOpt.Modeling;

/// <summary>
/// Weighted geometric-mean constraints through second-order cones (cvxpy's <c>gm_constrs</c>; Ben-Tal and
/// Nemirovski, "Lectures on modern convex optimization", §3.3): u ≤ Π x_i^{w_i} with rational weights summing to 1,
/// elementwise, all x_i ≥ 0. Weights a_i/d with d not a power of two are completed to a dyadic denominator 2^k
/// by giving u itself the weight (2^k − d)/2^k (for u &gt; 0, u ≤ Π x_i^{a_i/d} ⇔ u ≤ Π x_i^{a_i/2^k}·u^{(2^k−d)/2^k}),
/// and the dyadic mean is a binary tree of v ≤ √(y z) ⇔ (y + z, y − z, 2v) ∈ SOC.
/// </summary>
internal static class GeometricMean
{
    /// <summary>u ≤ Π x_i^{a_i/d} elementwise, with d = Σ a_i (positive integers).</summary>
    public static void Constrain(CanonContext context, LinearForm u, IReadOnlyList<(LinearForm X, int Weight)> terms)
    {
        int d = terms.Sum(t => t.Weight);
        int leaves = 1;
        while (leaves < d) leaves *= 2;
        var level = new List<LinearForm>(leaves);
        foreach (var (x, w) in terms)
            for (int i = 0; i < w; i++) level.Add(x);
        while (level.Count < leaves) level.Add(u);
        while (level.Count > 1)
        {
            var next = new List<LinearForm>(level.Count / 2);
            for (int i = 0; i < level.Count; i += 2)
            {
                var (y, z) = (level[i], level[i + 1]);
                if (ReferenceEquals(y, z))
                {
                    next.Add(y);
                    continue;
                }
                var v = level.Count == 2 ? u : context.NewVariable(u.Shape);
                context.SecondOrderElementwise(LinearForm.Add(y, z), LinearForm.Add(y, z, -1), v.Scale(2));
                next.Add(v);
            }
            level = next;
        }
        if (!ReferenceEquals(level[0], u)) context.LessEqual(u, level[0]);
    }

    /// <summary>p as num/den with den ≤ 1024, or null when p is not such a rational.</summary>
    public static (int Num, int Den)? Rational(double p)
    {
        for (int den = 1; den <= 1024; den++)
        {
            double num = Math.Round(p * den);
            if (Math.Abs(num / den - p) < 1e-12 && Math.Abs(num) < 1 << 20) return ((int)num, den);
        }
        return null;
    }
}
