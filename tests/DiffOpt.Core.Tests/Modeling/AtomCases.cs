using DiffOpt.Modeling;
using static DiffOpt.Modeling.Atoms;

namespace DiffOpt.Tests.Modeling;

internal enum AtomKind { Convex, Concave, Affine }

/// <summary>One atom applied to a variable x, a random point generator and the atom's value from its definition (row-major).</summary>
internal sealed record AtomCase(Shape Shape, AtomKind Kind, Func<Expression, Expression> Atom, Func<Random, double[]> Point, Func<double[], double[]> Value);

/// <summary>The atom cases of <see cref="AtomCanonicalizationTests"/>: definitions written from the functions' formulas.</summary>
internal static class AtomCases
{
    private static readonly double[] W4 = [0.3, -1.2, 0.8, 2.0];
    private static readonly double[,] Psd4 = { { 2, 0.5, 0, 0.1 }, { 0.5, 1.5, 0.2, 0 }, { 0, 0.2, 1, 0.3 }, { 0.1, 0, 0.3, 0.8 } };

    public static readonly Dictionary<string, AtomCase> All = new()
    {
        ["Sum"] = new(Shape.Vector(4), AtomKind.Affine, x => Sum(x), Normal(4), p => [p.Sum()]),
        ["Sum(axis 0)"] = new(Shape.Matrix(2, 3), AtomKind.Affine, x => Sum(x, 0), Normal(6), p => [p[0] + p[3], p[1] + p[4], p[2] + p[5]]),
        ["Sum(axis 1)"] = new(Shape.Matrix(2, 3), AtomKind.Affine, x => Sum(x, 1), Normal(6), p => [p[0] + p[1] + p[2], p[3] + p[4] + p[5]]),
        ["Index+Slice"] = new(Shape.Vector(4), AtomKind.Affine, x => HStack(x[2], x[1..3]), Normal(4), p => [p[2], p[1], p[2]]),
        ["Block"] = new(Shape.Matrix(3, 3), AtomKind.Affine, x => VStack(x[1, 0..2], x[0..2, 2]), Normal(9), p => [p[3], p[4], p[2], p[5]]),
        ["Trace"] = new(Shape.Matrix(3, 3), AtomKind.Affine, x => Trace(x), Normal(9), p => [p[0] + p[4] + p[8]]),
        ["Diag(matrix)"] = new(Shape.Matrix(3, 3), AtomKind.Affine, x => Diag(x), Normal(9), p => [p[0], p[4], p[8]]),
        ["Diag(vector)"] = new(Shape.Vector(2), AtomKind.Affine, x => Diag(x), Normal(2), p => [p[0], 0, 0, p[1]]),
        ["Reshape"] = new(Shape.Vector(6), AtomKind.Affine, x => Reshape(x, Shape.Matrix(2, 3)), Normal(6), p => p),
        ["Transpose"] = new(Shape.Matrix(2, 3), AtomKind.Affine, x => Transpose(x), Normal(6), p => [p[0], p[3], p[1], p[4], p[2], p[5]]),
        ["HStack(matrices)"] = new(Shape.Matrix(2, 2), AtomKind.Affine, x => HStack(x, 2 * x), Normal(4), p => [p[0], p[1], 2 * p[0], 2 * p[1], p[2], p[3], 2 * p[2], 2 * p[3]]),
        ["MatMul+Divide+Negate"] = new(Shape.Vector(2), AtomKind.Affine, x => -(new Constant(new double[,] { { 1, 2 }, { 3, 4 } }) * x) / 2 - x,
            Normal(2), p => [-(p[0] + 2 * p[1]) / 2 - p[0], -(3 * p[0] + 4 * p[1]) / 2 - p[1]]),
        ["SumSquares"] = new(Shape.Vector(4), AtomKind.Convex, x => SumSquares(x), Normal(4), p => [p.Sum(v => v * v)]),
        ["Square"] = new(Shape.Vector(4), AtomKind.Convex, x => Square(x), Normal(4), p => p.Select(v => v * v).ToArray()),
        ["Norm1"] = new(Shape.Vector(4), AtomKind.Convex, x => Norm1(x), Normal(4), p => [p.Sum(v => Math.Abs(v))]),
        ["Norm2"] = new(Shape.Matrix(2, 2), AtomKind.Convex, x => Norm2(x), Normal(4), p => [Math.Sqrt(p.Sum(v => v * v))]),
        ["NormInf"] = new(Shape.Vector(4), AtomKind.Convex, x => NormInf(x), Normal(4), p => [p.Max(v => Math.Abs(v))]),
        ["Abs"] = new(Shape.Vector(4), AtomKind.Convex, x => Abs(x), Normal(4), p => p.Select(v => Math.Abs(v)).ToArray()),
        ["Pos"] = new(Shape.Vector(4), AtomKind.Convex, x => Pos(x), Normal(4), p => p.Select(v => Math.Max(v, 0)).ToArray()),
        ["Neg"] = new(Shape.Vector(4), AtomKind.Convex, x => Neg(x), Normal(4), p => p.Select(v => Math.Max(-v, 0)).ToArray()),
        ["Maximum"] = new(Shape.Vector(4), AtomKind.Convex, x => Maximum(x, W4, 0.1), Normal(4), p => p.Select((v, i) => Math.Max(Math.Max(v, W4[i]), 0.1)).ToArray()),
        ["Minimum"] = new(Shape.Vector(4), AtomKind.Concave, x => Minimum(x, W4), Normal(4), p => p.Select((v, i) => Math.Min(v, W4[i])).ToArray()),
        ["Multiply"] = new(Shape.Vector(4), AtomKind.Affine, x => Multiply(W4, x), Normal(4), p => p.Select((v, i) => v * W4[i]).ToArray()),
        ["QuadForm(PSD)"] = new(Shape.Vector(4), AtomKind.Convex, x => QuadForm(x, Psd4), Normal(4), p => [Quad(p, Psd4, 1)]),
        ["QuadForm(NSD)"] = new(Shape.Vector(4), AtomKind.Concave, x => QuadForm(x, Negated(Psd4)), Normal(4), p => [Quad(p, Psd4, -1)]),
        ["QuadOverLin"] = new(Shape.Vector(4), AtomKind.Convex, x => QuadOverLin(x[0..3], x[3]), p => [.. Normal(3)(p), 0.5 + p.NextDouble()], p => [(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]) / p[3]]),
        ["Power(2)"] = new(Shape.Vector(3), AtomKind.Convex, x => Power(x, 2), Normal(3), p => p.Select(v => v * v).ToArray()),
        ["Power(4)"] = new(Shape.Vector(3), AtomKind.Convex, x => Power(x, 4), Normal(3), p => p.Select(v => Math.Pow(v, 4)).ToArray()),
        ["Power(0.25)"] = new(Shape.Vector(3), AtomKind.Concave, x => Power(x, 0.25), Positive(3), p => p.Select(v => Math.Pow(v, 0.25)).ToArray()),
        ["Power(-1)"] = new(Shape.Vector(3), AtomKind.Convex, x => Power(x, -1), Positive(3), p => p.Select(v => 1 / v).ToArray()),
        ["Power(3)"] = new(Shape.Vector(3), AtomKind.Convex, x => Power(x, 3), Normal(3), p => p.Select(v => Math.Pow(Math.Abs(v), 3)).ToArray()),
        ["Power(2.5)"] = new(Shape.Vector(3), AtomKind.Convex, x => Power(x, 2.5), Normal(3), p => p.Select(v => Math.Pow(Math.Abs(v), 2.5)).ToArray()),
        ["Power(0.3)"] = new(Shape.Vector(3), AtomKind.Concave, x => Power(x, 0.3), Positive(3), p => p.Select(v => Math.Pow(v, 0.3)).ToArray()),
        ["Power(-1.5)"] = new(Shape.Vector(3), AtomKind.Convex, x => Power(x, -1.5), Positive(3), p => p.Select(v => Math.Pow(v, -1.5)).ToArray()),
        ["Power(1)"] = new(Shape.Vector(3), AtomKind.Affine, x => Power(x, 1), Normal(3), p => p),
        ["Sqrt"] = new(Shape.Vector(3), AtomKind.Concave, x => Sqrt(x), Positive(3), p => p.Select(v => Math.Sqrt(v)).ToArray()),
        ["Exp"] = new(Shape.Vector(3), AtomKind.Convex, x => Exp(x), Normal(3), p => p.Select(v => Math.Exp(v)).ToArray()),
        ["Log"] = new(Shape.Vector(3), AtomKind.Concave, x => Log(x), Positive(3), p => p.Select(v => Math.Log(v)).ToArray()),
        ["Entropy"] = new(Shape.Vector(3), AtomKind.Concave, x => Entropy(x), Positive(3), p => p.Select(v => -v * Math.Log(v)).ToArray()),
        ["LogSumExp"] = new(Shape.Vector(4), AtomKind.Convex, x => LogSumExp(x), Normal(4), p => [Math.Log(p.Sum(v => Math.Exp(v)))]),
        ["Logistic"] = new(Shape.Vector(4), AtomKind.Convex, x => Logistic(x), Normal(4), p => p.Select(v => Math.Log(1 + Math.Exp(v))).ToArray()),
        ["Huber"] = new(Shape.Vector(4), AtomKind.Convex, x => Huber(x, 0.7), Normal(4), p => p.Select(v => Math.Abs(v) <= 0.7 ? v * v : 2 * 0.7 * Math.Abs(v) - 0.49).ToArray()),
        ["KlDiv"] = new(Shape.Vector(4), AtomKind.Convex, x => KlDiv(x[0..2], x[2..4]), Positive(4), p => [Kl(p[0], p[2]), Kl(p[1], p[3])]),
        ["LambdaMax"] = new(Shape.Matrix(3, 3), AtomKind.Convex, x => LambdaMax(x), Symmetric(3, 0), p => [Eigen(p, 3).Max()]),
        ["LogDet"] = new(Shape.Matrix(3, 3), AtomKind.Concave, x => LogDet(x), Symmetric(3, 3), p => [Eigen(p, 3).Sum(v => Math.Log(v))]),
    };

    private static Func<Random, double[]> Normal(int n) => r => Enumerable.Range(0, n).Select(_ => 2 * r.NextDouble() - 1 + (r.NextDouble() - 0.5)).ToArray();

    private static Func<Random, double[]> Positive(int n) => r => Enumerable.Range(0, n).Select(_ => 0.2 + 2 * r.NextDouble()).ToArray();

    /// <summary>A random symmetric k × k matrix plus shift·I.</summary>
    private static Func<Random, double[]> Symmetric(int k, double shift) => r =>
    {
        var a = Normal(k * k)(r);
        return Enumerable.Range(0, k * k).Select(idx => (a[idx] + a[idx % k * k + idx / k]) / 2 + (idx % k == idx / k ? shift : 0)).ToArray();
    };

    private static double Quad(double[] x, double[,] P, double sign)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
            for (int j = 0; j < x.Length; j++)
                s += x[i] * P[i, j] * x[j];
        return sign * s;
    }

    private static double[,] Negated(double[,] m)
    {
        var r = (double[,])m.Clone();
        for (int i = 0; i < r.GetLength(0); i++)
            for (int j = 0; j < r.GetLength(1); j++)
                r[i, j] = -r[i, j];
        return r;
    }

    private static double Kl(double x, double y) => x * Math.Log(x / y) - x + y;

    private static double[] Eigen(double[] m, int k)
    {
        using var t = TorchSharp.torch.tensor(m, [k, k], TorchSharp.torch.ScalarType.Float64);
        return TorchSharp.torch.linalg.eigvalsh(t).data<double>().ToArray();
    }
}
