using System.Collections.Concurrent;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.ML;

/// <summary>
/// Obsolete process-wide registry of module factories; register on the MLContext instead with
/// <see cref="DiffOptMLCatalog.RegisterModule"/>. Still consulted, after the context's own registrations, for one release.
/// </summary>
[Obsolete("Register module factories on the MLContext: mlContext.DiffOpt().RegisterModule(name, factory). Removed in the next release.")]
public static class DiffOptModuleRegistry
{
    private static readonly ConcurrentDictionary<string, Func<ModuleFactoryContext, nn.Module<Tensor, Tensor>>> Factories = new(StringComparer.Ordinal);

    /// <summary>Registers (or replaces) the factory for <paramref name="name"/>.</summary>
    /// <param name="name">A non-empty name, stored in saved models.</param>
    /// <param name="factory">Builds a fresh, untrained module mapping (B, d) features to (B, n) outputs.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="factory"/> is null.</exception>
    public static void Register(string name, Func<ModuleFactoryContext, nn.Module<Tensor, Tensor>> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        Factories[name] = factory;
    }

    /// <summary>True when a factory is registered under <paramref name="name"/>.</summary>
    public static bool IsRegistered(string name) => Factories.ContainsKey(name);

    internal static bool TryGetFactory(string name, out Func<ModuleFactoryContext, nn.Module<Tensor, Tensor>> factory) =>
        Factories.TryGetValue(name, out factory!);
}
