using DiffOpt.Layers;
using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.ML.RoundTripHelper;

/// <summary>A user module for <see cref="RegisteredModuleModel"/>: a linear map into the box −1 ≤ z ≤ 1 via a QP layer.</summary>
public static class RoundTripModules
{
    public const string BoxedLinearName = "roundtrip-boxed-linear";

    public static void Register(Microsoft.ML.MLContext ml) => ml.DiffOpt().RegisterModule(BoxedLinearName, context => new BoxedLinear(context));

    private sealed class BoxedLinear : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Linear linear;
        private readonly QpLayer qp;

        public BoxedLinear(ModuleFactoryContext context) : base(nameof(BoxedLinear))
        {
            linear = nn.Linear(context.FeatureSize, context.OutputSize, dtype: context.DType);
            qp = new QpLayer(context.SolverOptions);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var n = linear.weight!.shape[0];
            var identity = eye(n, dtype: x.dtype);
            var G = cat([identity, identity.neg()], 0);
            var h = ones(2 * n, dtype: x.dtype);
            return qp.call(identity, linear.call(x).neg(), G, h, null, null);
        }
    }
}
