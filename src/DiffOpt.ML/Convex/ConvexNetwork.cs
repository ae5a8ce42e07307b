using DiffOpt.Native;
using DiffOpt.Layers;
using DiffOpt.Modeling;
using TorchSharp;
using TorchSharp.Modules;
using Parameter = DiffOpt.Modeling.Parameter;
using static TorchSharp.torch;

namespace DiffOpt.ML.Convex;

/// <summary>
/// features (B, d) → linear layers with ReLU between them → the predicted parameters (B, Σ sizes; softplus for
/// parameters declared nonnegative) → <see cref="ConvexLayer"/>, whose other parameters (the fed ones) come from
/// input columns (B, Σ fed sizes) → the decision variable (B, n). float64 throughout. No method opens a dispose
/// scope: the caller's per-batch scope frees the intermediates after backward.
/// </summary>
internal sealed class ConvexNetwork : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Linear> layers;
    private readonly ConvexLayer _layer;
    private readonly Parameter[] _predicted;
    private readonly Parameter[] _fed;

    public ConvexNetwork(ConvexNetworkShape shape, int seed) : base(nameof(ConvexNetwork))
    {
        Shape = shape;
        _predicted = [.. shape.Predicted];
        _fed = shape.Fed.Select(f => f.Parameter).ToArray();
        _layer = new ConvexLayer(shape.Problem, [.. _predicted, .. _fed], [shape.Decision], shape.SolverOptions);
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
                linear.weight!.copy_(UniformInitialization.Symmetric(rand([sizes[i + 1], sizes[i]], dtype: ScalarType.Float64, generator: generator), bound));
                linear.bias!.copy_(UniformInitialization.Symmetric(rand([sizes[i + 1]], dtype: ScalarType.Float64, generator: generator), bound));
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
            parts.Add(p.Nonnegative ? part.Softplus() : part);
            offset += p.Shape.Size;
        }
        return cat(parts, 1);
    }

    /// <summary>
    /// Solves the layer for predicted parameter values (B, Σ sizes) and the fed parameters' values (B, Σ fed sizes,
    /// each row-major; null when none is fed); returns the decision (B, n).
    /// </summary>
    public Tensor Decide(Tensor parameters, Tensor? fed)
    {
        long batch = parameters.shape[0];
        if (_fed.Length > 0 && fed is null)
            throw new ArgumentNullException(nameof(fed), $"The layer needs the values of {string.Join(", ", _fed.Select(p => $"'{p.Name}'"))}.");
        Tensor[] values = [.. Split(parameters, _predicted, batch), .. _fed.Length == 0 ? [] : Split(fed!, _fed, batch)];
        return _layer.forward(values)[0].reshape(batch, Shape.Decision.Shape.Size);
    }

    /// <summary>The network end to end, for problems without fed parameters.</summary>
    public override Tensor forward(Tensor features) => Decide(PredictParameters(features), null);

    /// <summary>Splits the columns of <paramref name="flat"/> (B, Σ sizes) into one tensor per parameter, shaped (B, its shape).</summary>
    private static Tensor[] Split(Tensor flat, Parameter[] parameters, long batch)
    {
        var values = new Tensor[parameters.Length];
        long offset = 0;
        for (int i = 0; i < parameters.Length; i++)
        {
            var p = parameters[i];
            values[i] = flat.narrow(1, offset, p.Shape.Size).reshape([batch, .. p.Shape.Dimensions]);
            offset += p.Shape.Size;
        }
        return values;
    }
}

/// <summary>The architecture of a <see cref="ConvexNetwork"/> (everything but the weights).</summary>
/// <remarks><see cref="Fed"/>: the parameters read from input columns; every other parameter of the problem is predicted.</remarks>
internal sealed record ConvexNetworkShape(Problem Problem, IReadOnlyList<Parameter> Predicted, Variable Decision, int FeatureSize,
    IReadOnlyList<int> HiddenSizes, ConvexLayerOptions SolverOptions, IReadOnlyList<ParameterColumn> Fed)
{
    /// <summary>Σ of the predicted parameters' sizes (the last linear layer's width).</summary>
    public int ParameterSize => Predicted.Sum(p => p.Shape.Size);

    /// <summary>Σ of the fed parameters' sizes (entries read from input columns per row).</summary>
    public int FedSize => Fed.Sum(f => f.Parameter.Shape.Size);
}
