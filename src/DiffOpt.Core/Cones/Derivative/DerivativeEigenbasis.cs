using DiffOpt.LinearAlgebra;

namespace DiffOpt.Cones;

/// <summary>
/// One item's D = DΠ_K*(v) in the eigenbasis of its blocks, D = QΛQᵀ (Q block diagonal and orthogonal, Λ = diag(λ),
/// 0 ≤ λ ≤ 1), which turns J = [P, AᵀD; A, D − I] into J = diag(I, Q)·J̃·diag(I, Qᵀ) with J̃ = [P, ÂᵀΛ; Â, Λ − I] and
/// Â = QᵀA (and likewise Jᵀ with J̃ᵀ): J̃ is the Jacobian of a program whose D is diagonal, which
/// <see cref="ActiveSetItem"/> reduces to a symmetric system of half an LU's work. Blocks held as diagonals and blocks
/// that are exactly 0 or I keep Q = I; the others are decomposed: second-order cones at a point on neither side and PSD
/// cones in closed form (<see cref="SecondOrderEigenbasis"/>, <see cref="PsdEigenbasis"/>), exponential triples by Jacobi
/// rotations. For a second-order block λ is 0, 1 and ½(1 + t/‖u‖) (CONES.md), a PSD block's are the weights
/// W_ab ∈ [0, 1] of <see cref="PsdOperator"/>, and a triple's λ lie in [0, 1] (DΠ of a convex set), so an
/// eigenvalue within <see cref="Snap"/> of 0 or 1 is set to it exactly: the rotated system then drops the component
/// (λ = 0) or gives it no diagonal (λ = 1) as it would at the exact eigenvalue, and the solves, refined against J
/// itself, correct the O(<see cref="Snap"/>) perturbation.
/// </summary>
internal sealed class DerivativeEigenbasis
{
    /// <summary>Distance of an eigenvalue from 0 or 1 at most which it is set to 0 or 1.</summary>
    internal const double Snap = 1e-12;

    private readonly int[] _offsets, _sizes, _starts;  // the rotated blocks, and where each one's Q starts in _vectors
    private readonly double[] _vectors;                // per rotated block its Q, row-major, eigenvectors as columns

    private DerivativeEigenbasis(double[] values, int[] offsets, int[] sizes, int[] starts, double[] vectors)
    {
        Values = values;
        _offsets = offsets;
        _sizes = sizes;
        _starts = starts;
        _vectors = vectors;
    }

    /// <summary>λ, one per row of D (the diagonal blocks' own entries where Q = I).</summary>
    public double[] Values { get; }

    /// <summary>
    /// Item <paramref name="item"/>'s eigenbasis of <paramref name="system"/>'s D; null when a block is not finite, or
    /// when a block to rotate is neither a second-order cone's, a PSD cone's nor an exponential triple's: the reduction
    /// pays for those, whose eigenbases are cheap (closed form; Jacobi on order 3). Jacobi sweeps on PSD blocks (order 10
    /// to 15 in svec form) made the derivative's set-up slower than the LU of the full J (measured on the benchmark's
    /// mixed and sdp cone cases); in closed form they make it faster (set-up CPU 3.3 → 2.5 ms and 1.3 → 0.9 ms there).
    /// </summary>
    public static DerivativeEigenbasis? Of(DerivativeSystem system, int item)
    {
        var values = new double[system.Rows];
        // The rotated blocks are collected in the thread's scratch and copied out at their size (an item's few arrays
        // instead of one per block and the lists' growth: fresh memory costs page faults).
        var scratch = t_scratch ??= new Scratch();
        int count = 0, stored = 0;
        for (int k = 0; k < system.BlockCount; k++)
        {
            var (offset, r, diagonal, secondOrder, exponential) = system.BlockLayout(k);
            var block = system.BlockValues(k, item);
            var lambda = values.AsSpan(offset, r);
            if (diagonal)
            {
                block.CopyTo(lambda);
                continue;
            }
            if (DerivativeSystem.ZeroOrIdentity(block, r) is { } identity)
            {
                lambda.Fill(identity ? 1 : 0);
                continue;
            }
            bool psd = system.IsPsd(k);
            if (!secondOrder && !exponential && !psd) return null;
            scratch.Reserve(count + 1, stored + 2 * r * r);
            var q = scratch.Vectors.AsSpan(stored, r * r);
            // A second-order or PSD block's eigenbasis in closed form; Jacobi sweeps for a triple's (order 3) and where the
            // second-order form fails (on a copy of the block, which the sweeps overwrite).
            if (psd)
            {
                int order = system.PsdBasis(k, item, out var vectors, out var weights);
                if (!PsdEigenbasis.TryDecompose(vectors, weights, order, lambda, q)) return null;
            }
            else if (!(secondOrder && SecondOrderEigenbasis.TryDecompose(block, r, lambda, q)))
            {
                var copy = scratch.Vectors.AsSpan(stored + r * r, r * r);
                block.CopyTo(copy);
                if (!SmallDense.SymmetricEigen(copy, r, lambda, q)) return null;
            }
            for (int i = 0; i < r; i++)
                lambda[i] = lambda[i] <= Snap ? 0 : lambda[i] >= 1 - Snap ? 1 : lambda[i];
            scratch.Offsets[count] = offset;
            scratch.Sizes[count] = r;
            scratch.Starts[count++] = stored;
            stored += r * r;
        }
        return new DerivativeEigenbasis(values, scratch.Offsets[..count], scratch.Sizes[..count], scratch.Starts[..count], scratch.Vectors[..stored]);
    }

    /// <summary>The thread's buffers for <see cref="Of"/>, reused by the items it decomposes.</summary>
    [ThreadStatic]
    private static Scratch? t_scratch;

    /// <summary>Growable buffers: the rotated blocks' offsets, orders and starts, and their eigenvectors (with room for a copy of the block).</summary>
    private sealed class Scratch
    {
        public int[] Offsets = new int[16], Sizes = new int[16], Starts = new int[16];
        public double[] Vectors = new double[256];

        /// <summary>Room for <paramref name="blocks"/> blocks and <paramref name="length"/> entries, keeping the contents.</summary>
        public void Reserve(int blocks, int length)
        {
            if (blocks > Offsets.Length)
            {
                int size = Math.Max(blocks, 2 * Offsets.Length);
                Array.Resize(ref Offsets, size);
                Array.Resize(ref Sizes, size);
                Array.Resize(ref Starts, size);
            }
            if (length > Vectors.Length) Array.Resize(ref Vectors, Math.Max(length, 2 * Vectors.Length));
        }
    }

    /// <summary>
    /// Whether <see cref="Of"/> can rotate item <paramref name="item"/>: each block of its D is diagonal, exactly 0 or I,
    /// a second-order cone's, a PSD cone's or an exponential triple's.
    /// </summary>
    public static bool Applies(DerivativeSystem system, int item)
    {
        for (int k = 0; k < system.BlockCount; k++)
        {
            var (_, r, diagonal, secondOrder, exponential) = system.BlockLayout(k);
            if (!diagonal && !secondOrder && !exponential && !system.IsPsd(k) && DerivativeSystem.ZeroOrIdentity(system.BlockValues(k, item), r) is null) return false;
        }
        return true;
    }

    /// <summary>Â = QᵀA into <paramref name="target"/> for A row-major m × n (rows of blocks with Q = I copied).</summary>
    public void RotateRows(ReadOnlySpan<double> a, int n, Span<double> target)
    {
        a.CopyTo(target);
        for (int b = 0; b < _offsets.Length; b++)
        {
            int o = _offsets[b], r = _sizes[b];
            var q = _vectors.AsSpan(_starts[b], r * r);
            var rows = target.Slice(o * n, r * n);
            rows.Clear();
            // Row c of QᵀA is Σ_t Q[t, c]·A[o + t].
            for (int c = 0; c < r; c++)
                for (int t = 0; t < r; t++) Numerics.SpanKernels.AddScaled(q[t * r + c], a.Slice((o + t) * n, n), rows.Slice(c * n, n));
        }
    }

    /// <summary>y = Q·x, or Qᵀ·x when <paramref name="transposed"/> (length m; y must not alias x).</summary>
    public void Apply(ReadOnlySpan<double> x, Span<double> y, bool transposed)
    {
        x.CopyTo(y);
        for (int b = 0; b < _offsets.Length; b++)
        {
            int o = _offsets[b], r = _sizes[b];
            var q = _vectors.AsSpan(_starts[b], r * r);
            for (int i = 0; i < r; i++)
            {
                double sum = 0;
                for (int t = 0; t < r; t++) sum += (transposed ? q[t * r + i] : q[i * r + t]) * x[o + t];
                y[o + i] = sum;
            }
        }
    }
}
