using System.Globalization;
using System.Text;
using DiffOpt.Cones;

namespace DiffOpt.Modeling;

/// <summary>
/// Rewrites cone rows that repeat an aliased affine expression in terms of its alias. A quadratic objective term on
/// an expression r gets a copy u = r (<see cref="CanonContext.Aliases"/>, held by zero-cone rows); where another cone
/// row's variable part is ±(r_i's variable part), that row equals ±u_i ∓ (r_i's offset) + (its own offset) at every
/// feasible point, so it is written so: one entry in A instead of r_i's. In the portfolio layer
/// (maximize μᵀw − ‖Fw‖² s.t. ‖Fw‖₂ ≤ 0.5) the second-order cone's rows (0.5; Fw) become (0.5; u), which leaves the
/// cone's dense scaling block acting on the 10 columns of u instead of the 50 of w. The feasible set, the objective
/// and hence x* and its derivative are unchanged, and so are the multipliers of the rewritten rows (in both forms
/// they satisfy the same stationarity condition after eliminating u's; only the aliases' own rows carry them
/// differently). Applied only to programs with a cone other than the zero cone and the orthant: a QP goes to the QP
/// solver, which eliminates the aliases (<see cref="DefinedVariables"/>) when no other row holds them.
/// </summary>
internal sealed class AliasSubstitution
{
    private readonly Dictionary<string, (int Column, List<Term> Offset)> _rows = [];
    private readonly HashSet<ConeBlock> _definitions = new(ReferenceEqualityComparer.Instance);

    /// <summary>The aliases of <paramref name="context"/> whose rows have at least two variable terms (a shorter one saves nothing).</summary>
    public AliasSubstitution(CanonContext context)
    {
        if (context.Blocks.All(b => b.Cone is ZeroCone or NonnegativeCone)) return;
        foreach (var alias in context.Aliases)
        {
            _definitions.Add(alias.Definition);
            var byRow = alias.Form.ByRow();
            for (int i = 0; i < byRow.Length; i++)
            {
                var (variable, offset) = Split(byRow[i]);
                if (variable.Count >= 2) _rows.TryAdd(Key(variable, 1), (alias.FirstColumn + i, offset));
            }
        }
    }

    /// <summary>The rows of <paramref name="block"/> with every repeated aliased expression written as its alias.</summary>
    public LinearForm Rows(ConeBlock block)
    {
        if (_rows.Count == 0 || _definitions.Contains(block)) return block.Rows;
        var byRow = block.Rows.ByRow();
        List<Term>? terms = null;
        for (int r = 0; r < byRow.Length; r++)
        {
            var (variable, offset) = Split(byRow[r]);
            if (!TryMatch(variable, out double sign, out int column, out var aliasOffset))
            {
                terms?.AddRange(byRow[r]);
                continue;
            }
            terms ??= byRow.Take(r).SelectMany(t => t).ToList();
            // row = sign·(r_i − offset_i) + own offset = sign·u_i − sign·offset_i + own offset.
            terms.Add(new Term(r, column, LinearForm.One, sign));
            foreach (var o in aliasOffset) terms.Add(o with { Row = r, Value = -sign * o.Value });
            terms.AddRange(offset.Select(o => o with { Row = r }));
        }
        return terms is null ? block.Rows : new LinearForm(block.Rows.Shape, terms);
    }

    /// <summary>The alias row whose variable part is ±<paramref name="variable"/> (the sign, its column and its offset terms).</summary>
    private bool TryMatch(List<Term> variable, out double sign, out int column, out List<Term> offset)
    {
        (sign, column, offset) = (0, -1, []);
        if (variable.Count < 2) return false;
        foreach (double s in (ReadOnlySpan<double>)[1, -1])
            if (_rows.TryGetValue(Key(variable, s), out var alias))
            {
                (sign, column, offset) = (s, alias.Column, alias.Offset);
                return true;
            }
        return false;
    }

    /// <summary>A row's terms with variables, merged by (column, slot) without zeros, and its offset terms.</summary>
    private static (List<Term> Variable, List<Term> Offset) Split(List<Term> row)
    {
        var sums = new SortedDictionary<(int, int), double>();
        var offset = new List<Term>();
        foreach (var t in row)
        {
            if (t.Column == LinearForm.One) offset.Add(t);
            else sums[(t.Column, t.Slot)] = sums.GetValueOrDefault((t.Column, t.Slot)) + t.Value;
        }
        var variable = sums.Where(kv => kv.Value != 0).Select(kv => new Term(0, kv.Key.Item1, kv.Key.Item2, kv.Value)).ToList();
        return (variable, offset);
    }

    /// <summary>An exact key of sign·(merged variable terms), values by their bits.</summary>
    private static string Key(List<Term> variable, double sign)
    {
        var key = new StringBuilder();
        foreach (var t in variable)
            key.Append(CultureInfo.InvariantCulture, $"{t.Column}:{t.Slot}:{BitConverter.DoubleToInt64Bits(sign * t.Value)};");
        return key.ToString();
    }
}
