using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.ML;

/// <summary>
/// The module factories of <see cref="RegisteredModuleModel"/>, registered per <see cref="Microsoft.ML.MLContext"/>
/// (<c>mlContext.DiffOpt().RegisterModule</c>). They are kept next to the context's own component catalog, the
/// place where ML.NET keeps what a context can load: every host of the context sees them, other contexts do not.
/// </summary>
internal static class ModuleFactories
{
    private static readonly ConditionalWeakTable<ComponentCatalog, ConcurrentDictionary<string, Func<ModuleFactoryContext, nn.Module<Tensor, Tensor>>>> ByCatalog = new();

    public static void Register(IHostEnvironment environment, string name, Func<ModuleFactoryContext, nn.Module<Tensor, Tensor>> factory) =>
        ByCatalog.GetOrCreateValue(environment.ComponentCatalog)[name] = factory;

    /// <summary>The factory registered under <paramref name="name"/> on the environment's context, else (obsolete) process-wide.</summary>
    public static Func<ModuleFactoryContext, nn.Module<Tensor, Tensor>> Resolve(IHostEnvironment? environment, string name)
    {
        if (environment is not null && ByCatalog.TryGetValue(environment.ComponentCatalog, out var factories) && factories.TryGetValue(name, out var factory))
            return factory;
#pragma warning disable CS0618 // the process-wide registry still works for one release
        if (DiffOptModuleRegistry.TryGetFactory(name, out var global))
            return global;
#pragma warning restore CS0618
        throw new InvalidOperationException(
            $"No module factory is registered under the name '{name}'. Call mlContext.DiffOpt().RegisterModule(\"{name}\", ...) " +
            "with the factory that built the model, on the MLContext that trains or loads it.");
    }
}
