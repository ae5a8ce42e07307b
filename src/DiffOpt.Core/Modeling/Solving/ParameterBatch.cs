using DiffOpt.Native;
using DiffOpt.Numerics;
using static TorchSharp.torch;

namespace DiffOpt.Modeling;

/// <summary>
/// Parameter values checked against their parameters and stacked into Θ1 = [θ; 1] per item, (B, p + 1): a value
/// shaped as its parameter is shared by the batch (expanded, so autograd sums its gradient over the items), a value
/// with a leading batch dimension B is per item.
/// </summary>
internal sealed record ParameterBatch(Tensor Theta1, int BatchSize, bool Batched)
{
    /// <summary>Checks <paramref name="values"/> (in <paramref name="parameters"/>' order) and stacks them.</summary>
    /// <exception cref="ArgumentException">A value is null, has the wrong shape or dtype, or is not finite; the message names the parameter.</exception>
    public static ParameterBatch Create(IReadOnlyList<Parameter> parameters, IReadOnlyList<Tensor> values)
    {
        if (values.Count != parameters.Count)
            throw new ArgumentException($"Expected {parameters.Count} parameter values; got {values.Count}.", nameof(values));
        var dtype = values.Count > 0 && values[0] is { } first ? first.dtype : ScalarType.Float64;
        var device = values.Count > 0 && values[0] is { } f ? f.device : CPU;
        int batch = -1;
        for (int i = 0; i < values.Count; i++)
        {
            var (p, v) = (parameters[i], values[i]);
            if (v is null) throw new ArgumentException($"The value of parameter '{p.Name}' is null.", p.Name);
            if (v.dtype is not (ScalarType.Float32 or ScalarType.Float64) || v.dtype != dtype)
                throw new ArgumentException($"The value of parameter '{p.Name}' has dtype {v.dtype}; expected float32 or float64, the same for all.", p.Name);
            var dims = p.Shape.Dimensions;
            bool shared = v.shape.SequenceEqual(dims);
            bool perItem = v.dim() == dims.Length + 1 && v.shape.Skip(1).SequenceEqual(dims) && v.shape[0] > 0;
            if (!shared && !perItem)
                throw new ArgumentException($"The value of parameter '{p.Name}' has shape {TensorText.Shape(v)}; expected {p.Shape} or (B, {string.Join(",", dims)}).", p.Name);
            if (perItem)
            {
                if (batch >= 0 && batch != v.shape[0])
                    throw new ArgumentException($"The value of parameter '{p.Name}' has batch size {v.shape[0]}; an earlier one has {batch}.", p.Name);
                batch = (int)v.shape[0];
            }
            if (p.Nonnegative && v.lt(ScalarSafeOperations.Zero).any().item<bool>())
                throw new ArgumentException($"Parameter '{p.Name}' is declared nonnegative but its value has negative entries.", p.Name);
            if (!HostInputChecks.AllFinite(v))
                throw new ArgumentException($"The value of parameter '{p.Name}' has NaN or infinite entries.", p.Name);
        }
        bool batched = batch >= 0;
        int B = batched ? batch : 1;
        var columns = new List<Tensor>(values.Count + 1);
        for (int i = 0; i < values.Count; i++)
        {
            long size = parameters[i].Shape.Size;
            var v = values[i].to(device);
            columns.Add(v.dim() == parameters[i].Shape.Dimensions.Length ? v.reshape(1, size).expand(B, size) : v.reshape(B, size));
        }
        columns.Add(ones(B, 1, dtype: dtype, device: device));
        return new ParameterBatch(cat(columns, 1), B, batched);
    }
}
