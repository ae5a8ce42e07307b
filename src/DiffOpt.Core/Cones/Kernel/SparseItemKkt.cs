using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DiffOpt.InteriorPoint;
using DiffOpt.LinearAlgebra;
using DiffOpt.Numerics;

namespace DiffOpt.Cones;

/// <summary>
/// The sparse KKT system of one item's homogeneous interior-point iteration on the CPU: the full quasi-definite
/// K̃ = [P̂ + δI, Âᵀ; Â, −(Hs + δI)] (order n + m, pattern and symbolic factorisation shared by the batch through
/// <see cref="SparseKktPattern"/>) factorised by <see cref="SparseLdl"/>, with every solve refined against
/// K = [P̂, Âᵀ; Â, −Hs] (no δ) until the residual stops shrinking, at most <see cref="ItemKkt.MaxRefinement"/> steps,
/// as the dense <see cref="ItemKkt"/> does. The full form keeps A's sparsity (the reduced P̂ + ÂᵀHs⁻¹Â fills every
/// pair of variables that share a row) and needs no fallback for ill-conditioned Hs: it is that fallback's matrix.
/// </summary>
internal sealed class SparseItemKkt : IItemKkt
{
    private readonly SparseKktPattern _pattern;
    private readonly KernelCone[] _cones;
    private readonly SparseLdl _ldl;
    private readonly double[] _exact, _regularized, _blocks, _unit, _image, _rhs, _solution, _residual, _correction;
    private readonly int _n, _m;

    /// <summary>Workspace for one item with the cones <paramref name="cones"/> of <paramref name="pattern"/>'s batch.</summary>
    public SparseItemKkt(SparseKktPattern pattern, KernelCone[] cones)
    {
        _pattern = pattern;
        _cones = cones;
        if (cones.OfType<KernelExponentialCone>().Any(cone => cone.HalfInverseUsed))
            throw new ArgumentException("The sparse KKT form needs kernel cones created for it (HomogeneousItemSolver.Create with sparseKkt).", nameof(cones));
        _n = pattern.Variables;
        _m = pattern.Rows;
        _ldl = new SparseLdl(pattern.Symbolic);
        int entries = pattern.Symbolic.Entries, order = _n + _m;
        (_exact, _regularized) = (new double[entries], new double[entries]);
        _blocks = new double[pattern.ScalingBlocks];
        (_unit, _image) = (new double[_m], new double[_m]);
        (_rhs, _solution, _residual, _correction) = (new double[order], new double[order], new double[order], new double[order]);
    }

    /// <summary>Pivots replaced by the dynamic regularisation in the last factorisation.</summary>
    public int Regularized => _ldl.Regularized;

    /// <inheritdoc />
    public bool Factor(ItemProgram data)
    {
        FillBlocks();
        var p = _pattern;
        const double delta = HomogeneousKkt.StaticRegularization;
        for (int j = 0; j < _n + _m; j++)
            for (int e = p.ColumnStarts[j]; e < p.ColumnStarts[j + 1]; e++)
            {
                double value = p.Sources[e] switch
                {
                    SparseKktPattern.Source.P => data.ScaledSparseP!.Values[p.Index[e]],
                    SparseKktPattern.Source.A => data.ScaledSparseA!.Values[p.Index[e]],
                    SparseKktPattern.Source.H => -_blocks[p.Index[e]],
                    _ => 0,
                };
                _exact[e] = value;
                _regularized[e] = p.EntryRows[e] == j ? value + (j < _n ? delta : -delta) : value;
            }
        return _ldl.Factor(_regularized);
    }

    /// <summary>The cones' Hs blocks into the stacked storage: column t of every block at once, from Hs applied to their sum.</summary>
    private void FillBlocks()
    {
        var p = _pattern;
        for (int k = 0; k < _cones.Length; k++)
        {
            var cone = _cones[k];
            if (cone.IsZero) continue;
            int r = p.BlockSizes[k], offset = cone.Offset, rows = cone.Rows;
            var unit = _unit.AsSpan(offset, rows);
            var image = _image.AsSpan(offset, rows);
            for (int t = 0; t < r; t++)
            {
                unit.Clear();
                for (int b = 0; b < rows; b += r) unit[b + t] = 1;
                cone.MulH(unit, image);
                for (int b = 0; b < rows; b += r)
                    for (int i = 0; i < r; i++) _blocks[p.BlockStarts[k] + b * r + i * r + t] = image[b + i];
            }
        }
    }

    /// <inheritdoc />
    public bool Native { get; } = DenseProducts.NativeAvailable;

    /// <inheritdoc />
    /// <remarks>Nothing carries over: every factorisation starts from the pattern and the current scalings.</remarks>
    public void Reset()
    {
    }

    /// <inheritdoc />
    public bool Solve(ReadOnlySpan<double> top, ReadOnlySpan<double> bottom, Span<double> dx, Span<double> dz)
    {
        top.CopyTo(_rhs);
        bottom.CopyTo(_rhs.AsSpan(_n));
        double scale = SpanKernels.NormInf(_rhs);
        _rhs.CopyTo(_solution, 0);
        _ldl.Solve(_solution);
        double residual = Residual();
        for (int step = 0; step < ItemKkt.MaxRefinement && residual > ItemKkt.RefineAbove * scale; step++)
        {
            _residual.CopyTo(_correction, 0);
            _ldl.Solve(_correction);
            for (int i = 0; i < _solution.Length; i++) _solution[i] += _correction[i];
            double next = Residual();
            if (!(next < residual))
            {
                for (int i = 0; i < _solution.Length; i++) _solution[i] -= _correction[i];
                break;
            }
            residual = next;
        }
        _solution.AsSpan(0, _n).CopyTo(dx);
        _solution.AsSpan(_n).CopyTo(dz);
        return double.IsFinite(residual);
    }

    /// <summary>rhs − K·solution (K without δ, from its upper triangle) into the residual buffer; returns its ∞-norm.</summary>
    private double Residual()
    {
        var p = _pattern;
        _rhs.CopyTo(_residual, 0);
        // Indexed without bounds checks: the pattern's column starts and rows are consistent and lie in [0, n + m).
        ref double exact = ref MemoryMarshal.GetArrayDataReference(_exact);
        ref double solution = ref MemoryMarshal.GetArrayDataReference(_solution);
        ref double residual = ref MemoryMarshal.GetArrayDataReference(_residual);
        ref int starts = ref MemoryMarshal.GetArrayDataReference(p.ColumnStarts);
        ref int rows = ref MemoryMarshal.GetArrayDataReference(p.EntryRows);
        for (int j = 0; j < _n + _m; j++)
        {
            double xj = Unsafe.Add(ref solution, j), sum = 0;
            int end = Unsafe.Add(ref starts, j + 1);
            for (int e = Unsafe.Add(ref starts, j); e < end; e++)
            {
                int i = Unsafe.Add(ref rows, e);
                double v = Unsafe.Add(ref exact, e);
                sum += v * Unsafe.Add(ref solution, i);
                if (i != j) Unsafe.Add(ref residual, i) -= v * xj;
            }
            Unsafe.Add(ref residual, j) -= sum;
        }
        return SpanKernels.NormInf(_residual);
    }
}
