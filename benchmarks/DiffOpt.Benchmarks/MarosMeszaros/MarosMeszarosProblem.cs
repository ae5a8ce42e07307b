using System.Text.Json;
using System.Text.Json.Serialization;

namespace DiffOpt.Benchmarks.MarosMeszaros;

/// <summary>
/// One problem of the Maros-Meszaros dense subset as stored on disk (see the data set's README):
/// minimize ½xᵀPx + qᵀx + r subject to Gx ≤ h, Ax = b, lb ≤ x ≤ ub, with P, G, A as COO triplets and only
/// the finite bounds listed.
/// </summary>
public sealed record MarosMeszarosProblem(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("n")] int N,
    [property: JsonPropertyName("P")] CooMatrix P,
    [property: JsonPropertyName("q")] double[] Q,
    [property: JsonPropertyName("r")] double R,
    [property: JsonPropertyName("G")] CooMatrix G,
    [property: JsonPropertyName("h")] double[] H,
    [property: JsonPropertyName("A")] CooMatrix A,
    [property: JsonPropertyName("b")] double[] B,
    [property: JsonPropertyName("lb")] SparseBounds Lb,
    [property: JsonPropertyName("ub")] SparseBounds Ub)
{
    /// <summary>Number of inequality rows of G.</summary>
    public int InequalityCount => G.Rows;

    /// <summary>Number of equality rows of A.</summary>
    public int EqualityCount => A.Rows;

    /// <summary>Reads and checks a problem file; throws <see cref="InvalidDataException"/> naming the file and field on malformed data.</summary>
    public static MarosMeszarosProblem Load(string path)
    {
        MarosMeszarosProblem? problem;
        using (var stream = File.OpenRead(path))
            problem = JsonSerializer.Deserialize<MarosMeszarosProblem>(stream);
        if (problem is null) throw new InvalidDataException($"{path}: empty problem file.");
        problem.Validate(path);
        return problem;
    }

    private void Validate(string path)
    {
        void Require(bool condition, string message)
        {
            if (!condition) throw new InvalidDataException($"{path}: {message}");
        }
        Require(N > 0, $"n = {N}; expected a positive number of variables.");
        Require(Q is not null && Q.Length == N, $"q has {Q?.Length} entries; expected n = {N}.");
        P.Validate(path, "P", N, N);
        G.Validate(path, "G", G.Rows, N);
        A.Validate(path, "A", A.Rows, N);
        Require(H is not null && H.Length == G.Rows, $"h has {H?.Length} entries; expected G.rows = {G.Rows}.");
        Require(B is not null && B.Length == A.Rows, $"b has {B?.Length} entries; expected A.rows = {A.Rows}.");
        Lb.Validate(path, "lb", N);
        Ub.Validate(path, "ub", N);
    }
}

/// <summary>A sparse matrix as zero-based COO triplets; repeated (i, j) pairs add up.</summary>
public sealed record CooMatrix(
    [property: JsonPropertyName("rows")] int Rows,
    [property: JsonPropertyName("cols")] int Cols,
    [property: JsonPropertyName("i")] int[] I,
    [property: JsonPropertyName("j")] int[] J,
    [property: JsonPropertyName("v")] double[] V)
{
    /// <summary>Adds M x (or Mᵀ x when <paramref name="transposed"/>) into the accumulators <paramref name="into"/>.</summary>
    public void AccumulateProduct(DoubleDouble[] into, double[] x, bool transposed = false)
    {
        for (int k = 0; k < V.Length; k++)
        {
            if (transposed) into[J[k]].AddProduct(V[k], x[I[k]]);
            else into[I[k]].AddProduct(V[k], x[J[k]]);
        }
    }

    /// <summary>Writes the entries into a dense row-major (rows × cols) block starting at row <paramref name="rowOffset"/>.</summary>
    public void AddTo(double[] dense, int rowOffset)
    {
        for (int k = 0; k < V.Length; k++) dense[(rowOffset + I[k]) * (long)Cols + J[k]] += V[k];
    }

    internal void Validate(string path, string name, int rows, int cols)
    {
        if (Rows != rows || Cols != cols)
            throw new InvalidDataException($"{path}: {name} is {Rows}x{Cols}; expected {rows}x{cols}.");
        if (I is null || J is null || V is null || I.Length != V.Length || J.Length != V.Length)
            throw new InvalidDataException($"{path}: {name} has i/j/v of lengths {I?.Length}/{J?.Length}/{V?.Length}; expected equal lengths.");
        for (int k = 0; k < V.Length; k++)
            if ((uint)I[k] >= (uint)Rows || (uint)J[k] >= (uint)Cols || !double.IsFinite(V[k]))
                throw new InvalidDataException($"{path}: {name} entry {k} = ({I[k]}, {J[k]}, {V[k]}) is outside {Rows}x{Cols} or not finite.");
    }
}

/// <summary>The finite bounds on one side: variable indices and their values.</summary>
public sealed record SparseBounds(
    [property: JsonPropertyName("idx")] int[] Idx,
    [property: JsonPropertyName("vals")] double[] Vals)
{
    /// <summary>Number of finite bounds.</summary>
    public int Count => Idx.Length;

    internal void Validate(string path, string name, int n)
    {
        if (Idx is null || Vals is null || Idx.Length != Vals.Length)
            throw new InvalidDataException($"{path}: {name} has idx/vals of lengths {Idx?.Length}/{Vals?.Length}; expected equal lengths.");
        if (Idx.Distinct().Count() != Idx.Length)
            throw new InvalidDataException($"{path}: {name} lists a variable twice.");
        for (int k = 0; k < Idx.Length; k++)
            if ((uint)Idx[k] >= (uint)n || !double.IsFinite(Vals[k]))
                throw new InvalidDataException($"{path}: {name} entry {k} = ({Idx[k]}, {Vals[k]}) is outside 0..{n - 1} or not finite.");
    }
}
