using DiffOpt.ML.Data;
using DiffOpt.ML.Persistence;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.ML;

/// <summary>
/// A trained QP-layer network (from <see cref="QpLayerTrainer"/>) applied row by row: reads the feature vector
/// column and writes the network's output as a known-size vector of Single. <see cref="DiffOptTransformer.Transform"/> is lazy;
/// the transformer works with PredictionEngine and is saved and loaded by <c>mlContext.Model.Save/Load</c>
/// (weights included). It holds a TorchSharp module (native memory): dispose it, or the
/// <see cref="TransformerChain{TLastTransformer}"/> holding it, when done.
/// </summary>
public sealed class QpLayerTransformer : DiffOptTransformer, IDisposable
{
    private const string FeatureRole = "feature";

    private readonly QpNetwork _network;
    private readonly object _forwardLock = new();
    private bool _disposed;

    internal QpLayerTransformer(IHostEnvironment environment, QpNetwork network, QpLayerModelInfo info)
        : base(environment, nameof(QpLayerTransformer))
    {
        _network = network;
        _network.eval();
        foreach (var parameter in _network.parameters())
            parameter.requires_grad = false;
        Info = info;
    }

    /// <summary>The feature column read.</summary>
    public string FeatureColumnName => Info.FeatureColumnName;

    /// <summary>The output column written.</summary>
    public string ScoreColumnName => Info.ScoreColumnName;

    /// <summary>Length of the feature vector.</summary>
    public int FeatureSize => Info.FeatureSize;

    /// <summary>Length of the output vector.</summary>
    public int OutputSize => Info.OutputSize;

    /// <summary>The model description the network was built from.</summary>
    public QpModel Model => Info.Model;

    /// <summary>The learned parameters by name (e.g. "A", "log_z0", "D"), as float64 arrays in row-major order, with their shapes.</summary>
    /// <exception cref="ObjectDisposedException">The transformer was disposed.</exception>
    public IReadOnlyDictionary<string, (long[] Shape, double[] Values)> GetParameters()
    {
        lock (_forwardLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _network.named_parameters().ToDictionary(
                p => p.name,
                p => (p.parameter.shape, p.parameter.detach().to(ScalarType.Float64).cpu().data<double>().ToArray()));
        }
    }

    /// <summary>Frees the network's native memory; later use of the transformer throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (_forwardLock)
        {
            if (_disposed)
                return;
            _disposed = true;
            _network.Dispose();
        }
    }

    internal QpLayerModelInfo Info { get; }

    internal QpNetwork Network => _network;

    internal override AppendedColumnsMapper MakeMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private protected override void SaveModel(ModelSaveContext ctx)
    {
        lock (_forwardLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            QpLayerTransformerFormat.Save(ctx, this);
        }
    }

    /// <summary>Runs the network on the first <paramref name="count"/> feature vectors of a block (rows of d values).</summary>
    private void Predict(double[] features, int count, double[] outputs)
    {
        lock (_forwardLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var x = tensor(features.AsSpan(0, count * FeatureSize).ToArray(), [count, FeatureSize], Info.DType);
            _network.call(x).to(ScalarType.Float64).cpu().data<double>().CopyTo(outputs.AsSpan(0, count * OutputSize));
        }
    }

    private sealed class Mapper : AppendedColumnsMapper
    {
        private readonly QpLayerTransformer _parent;
        private readonly DataViewSchema.Column _feature;

        public Mapper(QpLayerTransformer parent, DataViewSchema inputSchema)
            : base(inputSchema, [(parent.ScoreColumnName, ColumnTypes.Vector(NumberDataViewType.Single, parent.OutputSize), null)])
        {
            _parent = parent;
            _feature = SchemaCheck.NumericVector(inputSchema, FeatureRole, parent.FeatureColumnName, parent.FeatureSize);
        }

        protected override IEnumerable<DataViewSchema.Column> Dependencies => [_feature];

        public override BlockComputation CreateComputation(DataViewRow input, int blockSize) =>
            new Computation(_parent, VectorReader.Create(input, _feature), blockSize);
    }

    /// <summary>Reads feature vectors into a block, runs the network once per block, serves each row's output.</summary>
    private sealed class Computation(QpLayerTransformer parent, VectorReader reader, int blockSize) : BlockComputation
    {
        private readonly double[] _features = new double[blockSize * parent.FeatureSize];
        private readonly double[] _outputs = new double[blockSize * parent.OutputSize];

        public override void ReadRow(int slot) => reader.Read(_features.AsSpan(slot * parent.FeatureSize, parent.FeatureSize));

        public override void Compute(int count) => parent.Predict(_features, count, _outputs);

        public override Delegate?[] CreateGetters(Func<int> slot, bool[] active) =>
            [active[0] ? VectorWriter.Getter(NumberDataViewType.Single, () => _outputs.AsMemory(slot() * parent.OutputSize, parent.OutputSize)) : null];
    }
}
