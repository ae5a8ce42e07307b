using TorchSharp;
using DiffOpt.Numerics;

namespace DiffOpt.Native;

/// <summary>
/// A CPU kernel's view of a contiguous batch of row-major matrices, (items|1, rows, cols): a shared matrix (one
/// item) serves every item of the batch. The tensor must stay alive while the view is used.
/// </summary>
internal readonly unsafe struct BatchMatrices<T>(T* data, long items, int rows, int cols) where T : unmanaged
{
    public readonly T* Data = data;
    public readonly long Items = items;
    public readonly int Rows = rows, Cols = cols;

    /// <summary>The matrix of batch item <paramref name="item"/>.</summary>
    public T* Item(long item) => Items == 1 ? Data : Data + item * Rows * (long)Cols;

    /// <summary>The view of a contiguous CPU tensor (items, rows, cols) whose element type is <typeparamref name="T"/>.</summary>
    /// <exception cref="ArgumentException">The tensor is not a contiguous CPU tensor of rank 3 with element type <typeparamref name="T"/>.</exception>
    public static BatchMatrices<T> Of(torch.Tensor tensor)
    {
        if (tensor.dim() != 3)
            throw new ArgumentException($"A batch-of-matrices view needs a (items, rows, cols) tensor; got shape {TensorText.Shape(tensor)}.", nameof(tensor));
        return new(NativeLapack.Data<T>(tensor), tensor.size(0), checked((int)tensor.size(1)), checked((int)tensor.size(2)));
    }
}
