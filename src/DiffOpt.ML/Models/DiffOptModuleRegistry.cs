using System.Collections.Concurrent;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.ML;

/// <summary>
/// Named factories of user TorchSharp modules for <see cref="RegisteredModuleModel"/>. A saved model refers to
/// its module by name, so the process that loads it must register the same name (with a factory that builds a
/// module of the same architecture) before calling <c>mlContext.Model.Load</c>.
/// </summary>
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

    internal static Func<ModuleFactoryContext, nn.Module<Tensor, Tensor>> GetFactory(string name) =>
        Factories.TryGetValue(name, out var factory)
            ? factory
            : throw new InvalidOperationException(
                $"No module factory is registered under the name '{name}'. Call DiffOptModuleRegistry.Register(\"{name}\", ...) " +
                "with the factory that built the model before training or loading it.");
}
