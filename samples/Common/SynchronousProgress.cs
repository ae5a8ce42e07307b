namespace DiffOpt.Samples;

/// <summary>
/// An <see cref="IProgress{T}"/> that runs its handler on the reporting thread, at once (unlike
/// <see cref="Progress{T}"/>, which posts to a synchronization context or the thread pool): console output stays in
/// order with the rest of the program's.
/// </summary>
public sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
{
    private readonly Action<T> _handler = handler ?? throw new ArgumentNullException(nameof(handler));

    /// <inheritdoc />
    public void Report(T value) => _handler(value);
}
