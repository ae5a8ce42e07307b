using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// Shape, dtype and device checks for the data, solution, directions and loss gradients of a batch of cone programs
/// minimize cᵀx + ½xᵀPx s.t. Ax + s = b, s ∈ K (B items, m rows, n variables). Each failure is an
/// <see cref="ArgumentException"/> whose ParamName is the argument's name and whose message gives the expected and
/// the actual shape, dtype and device.
/// </summary>
/// <param name="batch">B, the number of items.</param>
/// <param name="rows">m, the number of rows of A.</param>
/// <param name="variables">n, the number of variables.</param>
/// <param name="dtype">The dtype every argument must have.</param>
/// <param name="device">The device every argument must be on.</param>
internal sealed class ConeProgramArguments(long batch, long rows, long variables, ScalarType dtype, Device device)
{
    /// <summary>B, the number of items.</summary>
    public long Batch { get; } = batch;

    /// <summary>m, the number of rows of A (and of b, y, s).</summary>
    public long Rows { get; } = rows;

    /// <summary>n, the number of variables.</summary>
    public long Variables { get; } = variables;

    /// <summary>The dtype every argument must have (float32 or float64).</summary>
    public ScalarType DType { get; } = dtype;

    /// <summary>The device every argument must be on.</summary>
    public Device Device { get; } = device;

    /// <summary>
    /// Reads the layout from A ((B, m, n) or (m, n)) and b ((B, m)): B from b, m and n from A, the dtype and device
    /// from b; then checks A against it.
    /// </summary>
    /// <exception cref="ArgumentException">A or b is null, not float32/float64, or of the wrong rank (ParamName "A"/"b").</exception>
    public static ConeProgramArguments Of(Tensor A, Tensor b)
    {
        if (A is null) throw new ArgumentException("A must be a tensor of shape (B, m, n) or (m, n); got null.", nameof(A));
        if (A.dim() is not (2 or 3))
            throw new ArgumentException($"A must have shape (B, m, n) or (m, n); got [{Shape(A)}].", nameof(A));
        var layout = Of(A.shape[^2], A.shape[^1], b);
        layout.CheckMatrix(A, layout.Rows, layout.Variables, nameof(A));
        return layout;
    }

    /// <summary>The layout of m × n programs with b ((B, m)): B, the dtype and the device from b, which is checked against it.</summary>
    /// <exception cref="ArgumentException">b is null, not float32/float64, or of the wrong shape (ParamName "b").</exception>
    public static ConeProgramArguments Of(long rows, long variables, Tensor b)
    {
        if (b is null) throw new ArgumentException("b must be a tensor of shape (B, m); got null.", nameof(b));
        if (b.dim() != 2 || b.dtype is not (ScalarType.Float32 or ScalarType.Float64))
            throw new ArgumentException($"b must be a float32 or float64 tensor of shape (B, m); got [{Shape(b)}], {b.dtype}.", nameof(b));
        var layout = new ConeProgramArguments(b.shape[0], rows, variables, b.dtype, b.device);
        layout.CheckVector(b, layout.Rows, nameof(b));
        return layout;
    }

    /// <summary>Checks that <paramref name="value"/> has shape (B, <paramref name="length"/>), the dtype and the device.</summary>
    public void CheckVector(Tensor? value, long length, string parameterName)
    {
        if (value is null || value.dim() != 2 || value.shape[0] != Batch || value.shape[1] != length || !SameKind(value))
            throw Mismatch(value, $"({Batch}, {length})", parameterName);
    }

    /// <summary>
    /// Checks that <paramref name="value"/> has shape (B, r, c) (one matrix per item) or (r, c) (shared by the items),
    /// the dtype and the device.
    /// </summary>
    public void CheckMatrix(Tensor? value, long rows, long columns, string parameterName)
    {
        bool shape = value is not null && value.dim() switch
        {
            2 => value.shape[0] == rows && value.shape[1] == columns,
            3 => value.shape[0] == Batch && value.shape[1] == rows && value.shape[2] == columns,
            _ => false,
        };
        if (!shape || !SameKind(value!))
            throw Mismatch(value, $"({Batch}, {rows}, {columns}) or ({rows}, {columns})", parameterName);
    }

    /// <summary>Whether <paramref name="value"/> has the layout's dtype and device.</summary>
    private bool SameKind(Tensor value) =>
        value.dtype == DType && value.device_type == Device.type && value.device_index == Device.index;

    /// <summary>The exception for an argument that is null or has the wrong shape, dtype or device.</summary>
    private ArgumentException Mismatch(Tensor? value, string expected, string parameterName) => new(
        $"{parameterName} must be a {DType} tensor on {Device} of shape {expected}; got " +
        (value is null ? "null." : $"[{Shape(value)}], {value.dtype} on {value.device}."), parameterName);

    /// <summary>The shape as "d₁, d₂, …".</summary>
    private static string Shape(Tensor value) => string.Join(", ", value.shape);
}
