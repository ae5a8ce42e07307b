namespace DiffOpt.Benchmarks.MarosMeszaros;

/// <summary>
/// A sum accumulated in about twice double precision: error-free TwoSum for additions and an FMA-based TwoProduct for
/// products, the running error kept in a second double (Ogita, Rump and Oishi, "Accurate sum and dot product",
/// SIAM J. Sci. Comput. 26(6), 2005, algorithms Sum2/Dot2). The residual formulas cancel terms of size up to 1e7
/// down to 1e-9, far below what a plain double sum resolves.
/// </summary>
public struct DoubleDouble
{
    private double _hi;
    private double _lo;

    /// <summary>The accumulated value rounded to double.</summary>
    public readonly double Value => _hi + _lo;

    /// <summary>Largest magnitude of a single term added so far.</summary>
    public double TermScale { readonly get; private set; }

    /// <summary>Adds <paramref name="a"/>.</summary>
    public void Add(double a)
    {
        double s = _hi + a;
        double bb = s - _hi;
        double e = (_hi - (s - bb)) + (a - bb);
        _hi = s;
        _lo += e;
        TermScale = Math.Max(TermScale, Math.Abs(a));
    }

    /// <summary>Adds a·b exactly rounded to double-double.</summary>
    public void AddProduct(double a, double b)
    {
        double p = a * b;
        double e = Math.FusedMultiplyAdd(a, b, -p);
        Add(p);
        _lo += e;
    }

    /// <summary>Adds a·(this other accumulator's value, both of its parts).</summary>
    public void AddProduct(double a, DoubleDouble b)
    {
        AddProduct(a, b._hi);
        AddProduct(a, b._lo);
    }
}
