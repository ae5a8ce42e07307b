using System.Numerics;
using System.Runtime.CompilerServices;
using DiffOpt.Native;
using DiffOpt.Numerics;

namespace DiffOpt.Qp;

/// <summary>
/// Products of a batch of row-major matrices with vectors on the CPU, one item at a time. M·v is a dot product per
/// row and Mᵀ·u a scaled row sum, so neither needs a transposed copy, and <see cref="Residuals{T}"/> reads each
/// row of P, A and G once for all five products of an iterate's residuals (the batched form reads G and A twice,
/// from the matrix and from its transpose).
/// </summary>
internal static class MatrixProductsKernel
{
    /// <summary>out = M·v per item, for v (B,cols) and out (B,rows).</summary>
    public static unsafe void Multiply<T>(BatchMatrices<T> matrix, long batch, T* v, T* result) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = matrix.Rows, cols = matrix.Cols;
        BatchParallel.ForEachItem(batch, item => MultiplyRows(matrix.Item(item), rows, cols, v + item * cols, result + item * rows));
    }

    /// <summary>out = Mᵀ·u per item, for u (B,rows) and out (B,cols).</summary>
    public static unsafe void MultiplyTransposed<T>(BatchMatrices<T> matrix, long batch, T* u, T* result) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = matrix.Rows, cols = matrix.Cols;
        BatchParallel.ForEachItem(batch, item =>
        {
            T* output = result + item * cols;
            new Span<T>(output, cols).Clear();
            AddTransposed(matrix.Item(item), rows, cols, u + item * rows, output);
        });
    }

    /// <summary>
    /// Per item: Px, Ax, Gx and the constraint force Aᵀy + Gᵀz, for x (B,n), y (B,p), z (B,m); P is symmetric, so
    /// its rows serve as columns.
    /// </summary>
    public static unsafe void Residuals<T>(BatchMatrices<T> p, BatchMatrices<T> a, BatchMatrices<T> g, long batch,
        T* x, T* y, T* z, T* px, T* ax, T* gx, T* force) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = p.Cols, rowsA = a.Rows, rowsG = g.Rows;
        BatchParallel.ForEachItem(batch, item => ResidualsOfItem(p, a, g, item,
            x + item * n, y + item * rowsA, z + item * rowsG, px + item * n, ax + item * rowsA, gx + item * rowsG, force + item * n));
    }

    /// <summary>The products of <see cref="Residuals{T}"/> for batch item <paramref name="item"/>; the vectors point at that item's entries.</summary>
    public static unsafe void ResidualsOfItem<T>(BatchMatrices<T> p, BatchMatrices<T> a, BatchMatrices<T> g, long item,
        T* x, T* y, T* z, T* px, T* ax, T* gx, T* force) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = p.Cols;
        MultiplyRows(p.Item(item), n, n, x, px);
        new Span<T>(force, n).Clear();
        MultiplyAndAddTransposed(a.Item(item), a.Rows, n, x, ax, y, force);
        MultiplyAndAddTransposed(g.Item(item), g.Rows, n, x, gx, z, force);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void MultiplyRows<T>(T* m, int rows, int cols, T* v, T* result) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < rows; i++) result[i] = VectorKernels.Dot(m + (long)i * cols, v, cols);
    }

    /// <summary>result += Mᵀu.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void AddTransposed<T>(T* m, int rows, int cols, T* u, T* result) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < rows; i++) VectorKernels.SubtractScaled(m + (long)i * cols, -u[i], result, cols);
    }

    /// <summary>product = M·v and sum += Mᵀu, four rows at a time (each block of rows read twice in a row, the sum once per block).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void MultiplyAndAddTransposed<T>(T* m, int rows, int cols, T* v, T* product, T* u, T* sum)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Four rows' updates of the sum at a time (the roundings of four single-row updates, one pass over the sum).
        int i = 0;
        for (; i + 4 <= rows; i += 4)
        {
            T* block = m + (long)i * cols;
            for (int r = 0; r < 4; r++) product[i + r] = VectorKernels.Dot(block + (long)r * cols, v, cols);
            VectorKernels.SubtractScaledFourRows(block, cols, -u[i], -u[i + 1], -u[i + 2], -u[i + 3], sum, cols);
        }
        for (; i < rows; i++)
        {
            T* row = m + (long)i * cols;
            product[i] = VectorKernels.Dot(row, v, cols);
            VectorKernels.SubtractScaled(row, -u[i], sum, cols);
        }
    }
}
