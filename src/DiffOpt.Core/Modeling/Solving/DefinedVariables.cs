using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Modeling;

/// <summary>
/// Variables of a QP-shaped canonical program that one equality defines: z_e occurs in a single row r of A, a zero-cone
/// row, with a constant coefficient a_re, so z_e = (b_r − A_r,K·z_K)/a_re in terms of the kept variables K (e.g. the
/// residual t = Ax − b that canonicalising ‖Ax − b‖² introduces). Substituting z = S·z_K + s₀ gives an equivalent, smaller
/// QP: Q' = SᵀPS, c' = Sᵀ(c + P·s₀), without the defining rows; the substitution is tensor algebra, so autograd
/// differentiates through it. For NNLS (20 variables, 30 residuals) the QP solver then sees n = 20 instead of 50.
/// </summary>
internal sealed class DefinedVariables
{
    private readonly Tensor _kept, _eliminated, _definingRows, _otherZeroRows, _inequalityRows, _order;

    private DefinedVariables(int n, long[] kept, long[] eliminated, long[] definingRows, long[] otherZeroRows, long[] inequalityRows)
    {
        Kept = kept.Length;
        _kept = Detached(kept);
        _eliminated = Detached(eliminated);
        _definingRows = Detached(definingRows);
        _otherZeroRows = Detached(otherZeroRows);
        _inequalityRows = Detached(inequalityRows);
        // z = [z_K; z_E][order]: the position of each variable in the kept-then-eliminated list.
        var order = new long[n];
        for (int k = 0; k < kept.Length; k++) order[kept[k]] = k;
        for (int e = 0; e < eliminated.Length; e++) order[eliminated[e]] = kept.Length + e;
        _order = Detached(order);
    }

    /// <summary>The number of kept variables (the reduced QP's n).</summary>
    public int Kept { get; }

    /// <summary>The defined variables of a QP-shaped <paramref name="program"/>, or null when there are none.</summary>
    public static DefinedVariables? Find(ParametricConeProgram program)
    {
        int n = program.VariableCount, zeroRows = program.ZeroRows;
        if (!program.IsQp || n == 0) return null;
        var rowsOf = new List<int>[n];
        var constant = new Dictionary<long, double>();
        var parametric = new HashSet<long>();
        foreach (var (entry, slot, value) in program.A.Coefficients)
        {
            int row = (int)(entry / n), column = (int)(entry % n);
            (rowsOf[column] ??= []).Add(row);
            if (slot < 0) constant[entry] = value;
            else parametric.Add(entry);
        }
        // One variable per defining row. A defined variable occurs in no other row, so no defining row holds another
        // defined variable: the substitutions do not chain.
        var definingRows = new HashSet<int>();
        var eliminated = new SortedDictionary<int, int>();   // variable -> its defining row
        for (int j = 0; j < n; j++)
        {
            var rows = rowsOf[j]?.Distinct().ToList();
            if (rows is not { Count: 1 } || rows[0] >= zeroRows || definingRows.Contains(rows[0])) continue;
            long entry = (long)rows[0] * n + j;
            if (parametric.Contains(entry) || !constant.ContainsKey(entry)) continue;
            definingRows.Add(rows[0]);
            eliminated[j] = rows[0];
        }
        if (eliminated.Count == 0) return null;
        var kept = Enumerable.Range(0, n).Where(j => !eliminated.ContainsKey(j)).Select(j => (long)j).ToArray();
        var defining = eliminated.Values.Select(r => (long)r).ToArray();
        var otherZero = Enumerable.Range(0, zeroRows).Where(r => !eliminated.ContainsValue(r)).Select(r => (long)r).ToArray();
        var inequality = Enumerable.Range(zeroRows, program.RowCount - zeroRows).Select(r => (long)r).ToArray();
        return new DefinedVariables(n, kept, eliminated.Keys.Select(j => (long)j).ToArray(), defining, otherZero, inequality);
    }

    /// <summary>
    /// The reduced QP of data A ((B, m, n) or (m, n)), b, c and P (or null): (Q', c', G, h, A_eq, b_eq) for
    /// <see cref="Qp.QpFunction"/> (a missing block null), and the map back to the full z.
    /// </summary>
    public (Tensor Q, Tensor C, Tensor? G, Tensor? H, Tensor? AEq, Tensor? BEq, Func<Tensor, Tensor> Full) Reduce(Tensor A, Tensor b, Tensor c, Tensor? P)
    {
        var device = A.device;
        Tensor On(Tensor index) => index.to(device);
        var defining = A.index_select(-2, On(_definingRows));                          // (B?, E, n)
        var ak = defining.index_select(-1, On(_kept));                                  // (B?, E, K)
        // a_re: the diagonal of the defining rows' eliminated columns.
        var pivot = defining.index_select(-1, On(_eliminated)).diagonal(0, -2, -1);     // (B?, E)
        var S = -ak / pivot.unsqueeze(-1);                                           // z_E = S·z_K + s0
        var s0 = b.index_select(-1, On(_definingRows)) / pivot;                          // (B?, E)
        var ST = S.transpose(-1, -2);
        var cK = c.index_select(-1, On(_kept));
        var cE = c.index_select(-1, On(_eliminated));
        var cReduced = cK.Plus(Times(ST, cE));
        Tensor Q;
        if (P is null) Q = zeros(Kept, Kept, dtype: A.dtype, device: A.device);
        else
        {
            var pK = P.index_select(-2, On(_kept));
            var pE = P.index_select(-2, On(_eliminated));
            var pKK = pK.index_select(-1, On(_kept));
            var pKE = pK.index_select(-1, On(_eliminated));
            var pEE = pE.index_select(-1, On(_eliminated));
            var cross = pKE.matmul(S);
            var q = pKK.Plus(cross).Plus(cross.transpose(-1, -2)).Plus(ST.matmul(pEE).matmul(S));
            Q = q.Plus(q.transpose(-1, -2)).Times(0.5);
            cReduced = cReduced.Plus(Times(pKE, s0)).Plus(Times(ST, Times(pEE, s0)));
        }
        Tensor? Rows(Tensor rows, Tensor value, bool matrix) => rows.shape[0] == 0 ? null
            : matrix ? value.index_select(-2, On(rows)).index_select(-1, On(_kept)) : value.index_select(-1, On(rows));
        Tensor Full(Tensor x)
        {
            var zE = s0.Plus(Times(S, x));
            var stacked = cat([x, zE.expand(x.shape[0], zE.shape[^1])], 1);
            return stacked.index_select(1, On(_order));
        }
        return (Q, cReduced, Rows(_inequalityRows, A, true), Rows(_inequalityRows, b, false), Rows(_otherZeroRows, A, true),
            Rows(_otherZeroRows, b, false), Full);
    }

    /// <summary>M·v per item for M (B?, r, k) and v (B?, k).</summary>
    private static Tensor Times(Tensor matrix, Tensor vector) => matrix.matmul(vector.unsqueeze(-1)).squeeze(-1);

    private static Tensor Detached(long[] values)
    {
        using var scope = NewDisposeScope();
        return tensor(values, [values.Length]).DetachFromDisposeScope();
    }
}
