using System.Text.Json;
using DiffOpt.ML.Tests.Infrastructure;
using DiffOpt.Native;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.ML.Tests;

/// <summary>Disposal of TorchSharp-holding transformers, TorchSharp's global generator left alone, settings-only options.</summary>
/// <remarks>Not run in parallel with other classes: one test watches TorchSharp's process-wide generator.</remarks>
[Collection(nameof(GlobalRandomState))]
public class ResourceAndStateTests
{
    [Fact]
    public void QpLayerTransformer_IsDisposable_AndTheChainDisposesIt()
    {
        var ml = new MLContext(seed: 1);
        var data = VectorRows.Floats(ml, SmallTraining.Rows);
        var chain = new EstimatorChain<ITransformer>().Append(ml.DiffOpt().Trainers.QpLayer(SmallTraining.Options)).Fit(data);
        var layer = Assert.IsType<QpLayerTransformer>(chain.LastTransformer);
        Assert.NotEmpty(VectorRows.Column(layer.Transform(data), "Score"));

        ((IDisposable)chain).Dispose();
        Assert.Throws<ObjectDisposedException>(() => layer.GetParameters());
        Assert.Throws<ObjectDisposedException>(() => VectorRows.Column(layer.Transform(data), "Score"));
        layer.Dispose(); // twice is fine
    }

    private const string SeededModule = "resource-tests-seeded-linear";

    [Fact]
    public void RegisteredModule_LeavesTorchSharpsGlobalGeneratorAlone_AndIsReproducibleThroughItsOwnGenerator()
    {
        var ml = new MLContext(seed: 1);
        ml.DiffOpt().RegisterModule(SeededModule, context => new SeededLinear(context));
        var data = VectorRows.Floats(ml, SmallTraining.Rows);
        double[][] Train() => VectorRows.Column(ml.DiffOpt().Trainers.QpLayer(SmallTraining.Options with
        {
            Model = new RegisteredModuleModel(SeededModule),
            Seed = 5,
        }).Fit(data).Transform(data), "Score");

        random.manual_seed(1234);
        var before = random.get_rng_state();
        var first = Train();
        var after = random.get_rng_state();
        Assert.True(before.data<byte>().ToArray().SequenceEqual(after.data<byte>().ToArray()),
            "training reseeded or drew from TorchSharp's global generator");
        Assert.Equal(first, Train());
    }

    /// <summary>x ↦ Wx with W drawn from the context's generator (TorchSharp's nn.Linear would draw from the global one).</summary>
    private sealed class SeededLinear : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Parameter weight;

        public SeededLinear(ModuleFactoryContext context) : base(nameof(SeededLinear))
        {
            using var generator = context.CreateGenerator();
            weight = nn.Parameter(rand([context.OutputSize, context.FeatureSize], dtype: context.DType, generator: generator).Minus(0.5));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => x.matmul(weight.t());
    }

    [Fact]
    public void ObsoleteProcessWideRegistry_IsStillConsulted_ForOneRelease()
    {
        var ml = new MLContext(seed: 1);
#pragma warning disable CS0618 // the member under test
        DiffOptModuleRegistry.Register("resource-tests-global", context => new SeededLinear(context));
        Assert.True(DiffOptModuleRegistry.IsRegistered("resource-tests-global"));
#pragma warning restore CS0618
        var model = ml.DiffOpt().Trainers.QpLayer(SmallTraining.Options with { Model = new RegisteredModuleModel("resource-tests-global") })
            .Fit(VectorRows.Floats(ml, SmallTraining.Rows));
        Assert.Equal(SmallTraining.Rows.Count, VectorRows.Column(model.Transform(VectorRows.Floats(ml, SmallTraining.Rows)), "Score").Length);
    }

    [Fact]
    public void TrainerOptions_HoldSettingsOnly_AndRoundTripThroughJson()
    {
        var options = SmallTraining.Options with
        {
            Model = new TotalVariationQpModel { LearnAdaptiveWeights = true, AdaptiveWeightWindow = 5 },
            Seed = 3,
            Precision = QpLayerPrecision.Float32,
            SolverOptions = Qp.QpSolverOptions.Default with { MaxIterations = 77 },
        };
        var json = JsonSerializer.Serialize(options);
        Assert.DoesNotContain("ValidationSet", json);
        Assert.DoesNotContain("CancellationToken", json);
        Assert.Equal(options, JsonSerializer.Deserialize<QpLayerTrainer.Options>(json));
        var generic = SmallTraining.Options;
        Assert.Equal(generic, JsonSerializer.Deserialize<QpLayerTrainer.Options>(JsonSerializer.Serialize(generic)));
    }
}

/// <summary>Tests that watch TorchSharp's global generator run alone.</summary>
[CollectionDefinition(nameof(GlobalRandomState), DisableParallelization = true)]
public sealed class GlobalRandomState;
