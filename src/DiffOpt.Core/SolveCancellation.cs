using DiffOpt.Cones;
using DiffOpt.Qp;

namespace DiffOpt;

/// <summary>
/// Cancellation of the solves that run inside a scope: every solve started on the same logical flow while the
/// scope is open (<see cref="QpSolver"/>, <see cref="QpFunction"/>, <see cref="Layers.QpLayer"/>,
/// <see cref="ConeProgramSolver"/>, <see cref="ConeProgramFunction"/>, and so the forward pass of any network that
/// contains them) checks the token before each interior-point iteration and
/// throws <see cref="OperationCanceledException"/> once it is canceled. A long solve (a large batch) therefore stops
/// within one iteration instead of at its end. ML.NET trainers in DiffOpt.ML open such a scope around each batch.
/// </summary>
/// <example>
/// <code>
/// using (SolveCancellation.Scope(token))
///     z = layer.forward(Q, p, G, h, A, b);
/// </code>
/// </example>
public static class SolveCancellation
{
    private static readonly AsyncLocal<CancellationToken> Current = new();

    /// <summary>Opens a scope in which solves observe <paramref name="token"/>; disposing it restores the enclosing scope's token.</summary>
    public static IDisposable Scope(CancellationToken token)
    {
        var previous = Current.Value;
        Current.Value = token;
        return new Restorer(previous);
    }

    /// <summary>Throws <see cref="OperationCanceledException"/> when the current scope's token is canceled.</summary>
    internal static void ThrowIfRequested() => Current.Value.ThrowIfCancellationRequested();

    private sealed class Restorer(CancellationToken previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            Current.Value = previous;
        }
    }
}
