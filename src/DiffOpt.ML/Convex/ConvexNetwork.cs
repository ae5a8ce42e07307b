using DiffOpt.Layers;
using DiffOpt.Modeling;
using TorchSharp;
using TorchSharp.Modules;
using Parameter = DiffOpt.Modeling.Parameter;
using static TorchSharp.torch;

namespace DiffOpt.ML.Convex;

/// <summary>
/// features (B, d) → linear layers with ReLU between them → the predicted parameters (B, Σ sizes; softplus for
/// parameters declared nonnegative) → <see cref="ConvexLayer"/> → the decision variable (B, n). float64 throughout.
/// <c>forward</c> opens no dispose scope: the caller's per-batch scope frees the intermediates after backward.
/// </summary>
internal sealed class ConvexNetwork : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Linear> layers;
    private readonly ConvexLayer _layer;
    private readonly Parameter[] _predicted;

    public ConvexNetwork(ConvexNetworkShape shape, int seed) : base(nameof(ConvexNetwork))
    {
        Shape = shape;
        _predicted = [.. shape.Predicted];
        _layer = new ConvexLayer(shape.Problem, _predicted, [shape.Decision], shape.SolverOptions);
        var sizes = new[] { shape.FeatureSize }.Concat(shape.HiddenSizes).Append(shape.ParameterSize).ToArray();
        layers = new ModuleList<Linear>();
        using var generator = new Generator((ulong)seed);
        for (int i = 0; i + 1 < sizes.Length; i++)
        {
            var linear = nn.Linear(sizes[i], sizes[i + 1], dtype: ScalarType.Float64);
            using (no_grad())
            {
                // PyTorch's default: uniform in ±1/√fan_in, drawn from the seeded generator.
                var bound = 1.0 / Math.Sqrt(sizes[i]);
                linear.weight!.copy_(rand([sizes[i + 1], sizes[i]], dtype: ScalarType.Float64, generator: generator).mul_(2 * bound).sub_(bound));
                linear.bias!.copy_(rand([sizes[i + 1]], dtype: ScalarType.Float64, generator: generator).mul_(2 * bound).sub_(bound));
            }
            layers.Add(linear);
        }
        RegisterComponents();
    }

    public ConvexNetworkShape Shape { get; }

    /// <summary>The status of each item of the last forward pass.</summary>
    public IReadOnlyList<SolverStatus> LastStatus => _layer.LastStatus;

    /// <summary>The predicted parameter values (B, Σ sizes), row-major per parameter, in <see cref="ConvexNetworkShape.Predicted"/> order.</summary>
    public Tensor PredictParameters(Tensor features)
    {
        var h = features;
        for (int i = 0; i < layers.Count; i++)
        {
            h = layers[i].call(h);
            if (i + 1 < layers.Count) h = nn.functional.relu(h);
        }
        var parts = new List<Tensor>();
        long offset = 0;
        foreach (var p in _predicted)
        {
            var part = h.narrow(1, offset, p.Shape.Size);
            parts.Add(p.Nonnegative ? nn.functional.softplus(part) : part);
            offset += p.Shape.Size;
        }
        return cat(parts, 1);
    }

    /// <summary>Solves the layer for predicted parameter values (B, Σ sizes); returns the decision (B, n).</summary>
    public Tensor Decide(Tensor parameters)
    {
        long batch = parameters.shape[0], offset = 0;
        var values = new Tensor[_predicted.Length];
        for (int i = 0; i < _predicted.Length; i++)
        {
            var p = _predicted[i];
            values[i] = parameters.narrow(1, offset, p.Shape.Size).reshape([batch, .. p.Shape.Dimensions]);
            offset += p.Shape.Size;
        }
        return _layer.forward(values)[0].reshape(batch, Shape.Decision.Shape.Size);
    }

    public override Tensor forward(Tensor features) => Decide(PredictParameters(features));
}

/// <summary>The architecture of a <see cref="ConvexNetwork"/> (everything but the weights).</summary>
internal sealed record ConvexNetworkShape(Problem Problem, IReadOnlyList<Parameter> Predicted, Variable Decision, int FeatureSize,
    IReadOnlyList<int> HiddenSizes, ConvexLayerOptions SolverOptions)
{
    /// <summary>Σ of the predicted parameters' sizes (the last linear layer's width).</summary>
    public int ParameterSize => Predicted.Sum(p => p.Shape.Size);
}
