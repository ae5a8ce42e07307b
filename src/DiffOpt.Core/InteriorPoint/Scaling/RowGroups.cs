using static TorchSharp.torch;

namespace DiffOpt.InteriorPoint;

/// <summary>
/// Which rows of a constraint block share one equilibration factor: runs of <see cref="RowGroupRun.Count"/>
/// consecutive groups of <see cref="RowGroupRun.Size"/> rows each (a second-order or PSD block is one group, an
/// exponential cone's triples are groups of 3); rows outside every run are scaled one by one (equality and inequality
/// rows of a QP, the orthant). A group's rows get the factor of their mean limited norm, because those cones are
/// invariant under positive multiples but not under other diagonal scalings.
/// </summary>
internal sealed class RowGroups
{
    /// <summary>Every row on its own.</summary>
    public static RowGroups Singletons { get; } = new([]);

    /// <summary>The groups of <paramref name="runs"/> (non-overlapping, within the block's rows).</summary>
    public RowGroups(IReadOnlyList<RowGroupRun> runs) => Runs = runs.Where(run => run.Size > 1 && run.Count > 0).ToArray();

    /// <summary>The runs of groups of more than one row.</summary>
    public IReadOnlyList<RowGroupRun> Runs { get; }

    /// <summary>Replaces each group's entries of <paramref name="norms"/> by their mean.</summary>
    public void Average(Span<double> norms)
    {
        foreach (var run in Runs)
            for (int start = run.Offset; start < run.Offset + run.Size * run.Count; start += run.Size)
            {
                var group = norms.Slice(start, run.Size);
                double mean = 0;
                foreach (double norm in group) mean += norm;
                mean /= run.Size;
                group.Fill(mean);
            }
    }

    /// <summary>
    /// <paramref name="norms"/> (B, rows) with each group's entries replaced by their mean; the tensor itself when every
    /// row is a singleton.
    /// </summary>
    public Tensor Average(Tensor norms)
    {
        if (Runs.Count == 0) return norms;
        var result = norms.clone();
        foreach (var run in Runs)
        {
            var block = result.narrow(1, run.Offset, run.Size * (long)run.Count).view(-1, run.Count, run.Size);
            block.copy_(block.mean([2], keepdim: true).expand_as(block));
        }
        return result;
    }
}

/// <summary><see cref="Count"/> consecutive groups of <see cref="Size"/> rows from row <see cref="Offset"/>.</summary>
internal readonly record struct RowGroupRun(int Offset, int Size, int Count);
