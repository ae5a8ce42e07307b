using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.ML;

/// <summary>
/// Your own TorchSharp module, built by the factory registered under <see cref="Name"/> with
/// <c>mlContext.DiffOpt().RegisterModule</c> on the MLContext that trains the model. The module maps features (B, d) to
/// outputs (B, n) (n the label length), typically through a <see cref="Layers.QpLayer"/>. A saved model stores the name
/// and the module's weights; loading it calls the factory registered under the same name on the loading MLContext.
/// </summary>
/// <param name="Name">The name the factory was registered under.</param>
public sealed record RegisteredModuleModel(string Name) : QpModel
{
    internal override void Validate(int featureSize, int outputSize)
    {
        if (string.IsNullOrWhiteSpace(Name))
            throw new ArgumentException("The module name must not be empty.", nameof(Name));
    }

    internal override void CheckAvailable(IHostEnvironment environment) => ModuleFactories.Resolve(environment, Name);

    internal override QpNetwork CreateNetwork(NetworkContext context) => new RegisteredModuleNetwork(Name, context);
}

/// <summary>Wraps the user's module so the trainer sees a <see cref="QpNetwork"/>.</summary>
internal sealed class RegisteredModuleNetwork : QpNetwork
{
    private readonly nn.Module<Tensor, Tensor> inner;

    public RegisteredModuleNetwork(string name, NetworkContext context) : base(nameof(RegisteredModuleNetwork))
    {
        var factory = ModuleFactories.Resolve(context.Environment, name);
        // TorchSharp's global generator is left alone: the factory gets the seed to initialise from a generator of its own.
        var module = factory(new ModuleFactoryContext(context.FeatureSize, context.OutputSize, context.DType, context.SolverOptions) { Seed = context.Seed })
            ?? throw new InvalidOperationException($"The module factory registered as '{name}' returned null.");
        inner = module.to(context.DType);
        RegisterComponents();
    }

    public override IEnumerable<Tensor> PenalizedMatrices => inner.parameters().Where(p => p.dim() >= 2);

    public override Tensor forward(Tensor x) => inner.call(x);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }
}
