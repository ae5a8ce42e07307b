using System.Globalization;
using static TorchSharp.torch;

namespace DiffOpt.Modeling;

/// <summary>A constant scalar, vector or matrix (values stored row-major in double precision).</summary>
public sealed class Constant : Expression
{
    private readonly double[] _values;

    /// <summary>A scalar constant.</summary>
    public Constant(double value) : this([value], Shape.Scalar) { }

    /// <summary>A constant vector.</summary>
    public Constant(double[] values) : this((double[])Checked(values, nameof(values)).Clone(), Shape.Vector(values.Length)) { }

    /// <summary>A constant matrix.</summary>
    public Constant(double[,] values) : this(Flatten(Checked(values, nameof(values))), Shape.Matrix(values.GetLength(0), values.GetLength(1))) { }

    /// <summary>A constant from a tensor of rank 0, 1 or 2 (copied to double precision).</summary>
    public Constant(Tensor values) : this(FromTensor(values), Shape.FromDimensions(values.shape)) { }

    private Constant(double[] values, Shape shape)
    {
        if (values.Any(v => !double.IsFinite(v)))
            throw new ArgumentException("A constant must have finite entries.", nameof(values));
        _values = values;
        Shape = shape;
        Sign = values.All(v => v == 0) ? Sign.Zero : values.All(v => v >= 0) ? Sign.Nonnegative : values.All(v => v <= 0) ? Sign.Nonpositive : Sign.Unknown;
    }

    /// <summary>The values, row-major.</summary>
    public IReadOnlyList<double> Values => _values;

    /// <inheritdoc />
    public override Shape Shape { get; }

    /// <inheritdoc />
    public override Sign Sign { get; }

    internal override Curvature CurvatureIn(DisciplineMode mode) => Curvature.Constant;

    /// <summary>The scalar value, or the shape in brackets for arrays.</summary>
    public override string ToString() => Shape.IsScalar
        ? _values[0].ToString("G6", CultureInfo.InvariantCulture)
        : $"const{Shape}";

    private static T Checked<T>(T value, string name) where T : class => value ?? throw new ArgumentNullException(name);

    private static double[] Flatten(double[,] m)
    {
        var r = new double[m.Length];
        int k = 0;
        for (int i = 0; i < m.GetLength(0); i++)
            for (int j = 0; j < m.GetLength(1); j++)
                r[k++] = m[i, j];
        return r;
    }

    private static double[] FromTensor(Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (t.dim() > 2) throw new ArgumentException($"A constant tensor must have rank ≤ 2; got {t.dim()}.", nameof(t));
        return t.detach().to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
    }
}
