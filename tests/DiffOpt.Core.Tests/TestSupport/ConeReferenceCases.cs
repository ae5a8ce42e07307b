using System.Text.Json;

namespace DiffOpt.Tests.TestSupport;

/// <summary>
/// One cone of the product K of a reference case, in row order. <see cref="Type"/> is <c>zero</c>, <c>nonnegative</c>,
/// <c>soc</c> (rows (t, u), ‖u‖₂ ≤ t) or <c>psd</c>; <see cref="Size"/> is the number of rows, except for <c>psd</c>, where it
/// is the matrix order k and the block has k(k+1)/2 rows in svec form (lower triangle column by column, off-diagonal
/// entries times √2).
/// </summary>
internal sealed record ReferenceCone(string Type, int Size)
{
    /// <summary>The kinds of cone the reference files use.</summary>
    public static readonly IReadOnlyList<string> Types = ["zero", "nonnegative", "soc", "psd"];

    /// <summary>Rows of the block: k(k+1)/2 for a PSD cone of order k, <see cref="Size"/> otherwise.</summary>
    public int Rows => Type == "psd" ? Size * (Size + 1) / 2 : Size;
}

/// <summary>What cvxopt concluded about a reference problem.</summary>
internal enum ReferenceStatus
{
    /// <summary>Solved: x, y, s and the objective are set.</summary>
    Optimal,

    /// <summary>No x meets Ax + s = b, s ∈ K: <see cref="ConeReferenceCase.CertificateY"/> is set.</summary>
    PrimalInfeasible,

    /// <summary>Feasible and unbounded below: <see cref="ConeReferenceCase.CertificateX"/> and <see cref="ConeReferenceCase.CertificateS"/> are set.</summary>
    DualInfeasible,
}

/// <summary>
/// A cone program  minimize cᵀx + ½xᵀPx  subject to  Ax + s = b, s ∈ K  (SCS convention), with cvxopt's answer mapped to
/// that convention and, where the problem was built around a known answer, that answer ("constructed"). Vectors not set
/// for the status are null. Format: Cones/ReferenceData/README.md.
/// </summary>
internal sealed record ConeReferenceCase(
    string Name,
    string Description,
    string Source,
    IReadOnlyList<ReferenceCone> Cones,
    double[,] A,
    double[] B,
    double[] C,
    double[,]? P,
    ReferenceStatus Status,
    double[]? X,
    double[]? Y,
    double[]? S,
    double[]? XConstructed,
    double[]? YConstructed,
    double[]? SConstructed,
    double? Objective,
    double[]? CertificateX,
    double[]? CertificateY,
    double[]? CertificateS,
    double[]? CertificateXConstructed,
    double[]? CertificateYConstructed,
    double[]? CertificateSConstructed)
{
    /// <summary>m, the number of rows of A (the total rows of the cones).</summary>
    public int Rows => A.GetLength(0);

    /// <summary>n, the number of variables.</summary>
    public int Variables => A.GetLength(1);

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>Items that share one cone list and differ in data (a file with <c>batch_size</c>); item i is named <c>name[i]</c>.</summary>
internal sealed record ConeReferenceBatch(string Name, string Description, IReadOnlyList<ReferenceCone> Cones,
    IReadOnlyList<ConeReferenceCase> Items);

/// <summary>
/// Reads the reference cone programs (solved offline by cvxopt, see generate_cvxopt_cases.py) from the test output folder
/// Cones/ReferenceData, where the project copies them.
/// </summary>
internal static class ConeReferenceCases
{
    private static readonly Lazy<(ConeReferenceCase? Single, ConeReferenceBatch? Batch)[]> Parsed =
        new(() => Files().Select(Parse).ToArray());

    /// <summary>The folder the JSON files are copied to.</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Cones", "ReferenceData");

    /// <summary>The files that hold one problem each.</summary>
    public static IReadOnlyList<ConeReferenceCase> Single => [.. Parsed.Value.Where(f => f.Single is not null).Select(f => f.Single!)];

    /// <summary>The batch files.</summary>
    public static IReadOnlyList<ConeReferenceBatch> Batches => [.. Parsed.Value.Where(f => f.Batch is not null).Select(f => f.Batch!)];

    /// <summary>Every problem: the single ones, then the items of each batch.</summary>
    public static IEnumerable<ConeReferenceCase> All => Single.Concat(Batches.SelectMany(b => b.Items));

    /// <summary>The problem (or batch item, <c>name[i]</c>) called <paramref name="name"/>.</summary>
    public static ConeReferenceCase Get(string name) => All.Single(c => c.Name == name);

    /// <summary>The batch called <paramref name="name"/>.</summary>
    public static ConeReferenceBatch GetBatch(string name) => Batches.Single(b => b.Name == name);

    private static IEnumerable<string> Files()
    {
        var files = Directory.GetFiles(Folder, "*.json").OrderBy(f => f, StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new InvalidOperationException($"no reference cone programs in {Folder}");
        return files;
    }

    private static (ConeReferenceCase? Single, ConeReferenceBatch? Batch) Parse(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        string name = root.GetProperty("name").GetString()!;
        string description = root.GetProperty("description").GetString()!;
        string source = root.GetProperty("source").GetString()!;
        var cones = root.GetProperty("cones").EnumerateArray()
            .Select(c => new ReferenceCone(c.GetProperty("type").GetString()!, c.GetProperty("size").GetInt32())).ToList();
        if (!root.TryGetProperty("batch_size", out var batchSize))
            return (Read(name, description, source, cones, key => root.GetProperty(key)), null);

        var items = Enumerable.Range(0, batchSize.GetInt32())
            .Select(i => Read($"{name}[{i}]", description, source, cones, key => Item(root.GetProperty(key), i)))
            .ToList();
        return (null, new ConeReferenceBatch(name, description, cones, items));
    }

    /// <summary>Item i of a batched field; a field that is null for the whole batch stays null.</summary>
    private static JsonElement Item(JsonElement field, int i) => field.ValueKind == JsonValueKind.Null ? field : field[i];

    private static ConeReferenceCase Read(string name, string description, string source, IReadOnlyList<ReferenceCone> cones,
        Func<string, JsonElement> field)
    {
        double[]? V(string key) => Vector(field(key));
        var objective = field("objective");
        return new ConeReferenceCase(name, description, source, cones,
            Matrix(field("A")) ?? throw new InvalidDataException($"{name}: A is null"),
            V("b") ?? throw new InvalidDataException($"{name}: b is null"),
            V("c") ?? throw new InvalidDataException($"{name}: c is null"),
            Matrix(field("P")), ParseStatus(field("status").GetString()!),
            V("x"), V("y"), V("s"), V("x_constructed"), V("y_constructed"), V("s_constructed"),
            objective.ValueKind == JsonValueKind.Null ? null : objective.GetDouble(),
            V("certificate_x"), V("certificate_y"), V("certificate_s"),
            V("certificate_x_constructed"), V("certificate_y_constructed"), V("certificate_s_constructed"));
    }

    private static ReferenceStatus ParseStatus(string status) => status switch
    {
        "optimal" => ReferenceStatus.Optimal,
        "primal_infeasible" => ReferenceStatus.PrimalInfeasible,
        "dual_infeasible" => ReferenceStatus.DualInfeasible,
        _ => throw new InvalidDataException($"unknown status '{status}'"),
    };

    private static double[]? Vector(JsonElement element) =>
        element.ValueKind == JsonValueKind.Null ? null : element.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    private static double[,]? Matrix(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Null) return null;
        var rows = element.EnumerateArray().Select(r => Vector(r)!).ToArray();
        int columns = rows.Length == 0 ? 0 : rows[0].Length;
        var matrix = new double[rows.Length, columns];
        for (int i = 0; i < rows.Length; i++)
        {
            if (rows[i].Length != columns) throw new InvalidDataException($"row {i} has {rows[i].Length} entries, not {columns}");
            for (int j = 0; j < columns; j++) matrix[i, j] = rows[i][j];
        }
        return matrix;
    }
}
