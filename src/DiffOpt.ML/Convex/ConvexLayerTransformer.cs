using DiffOpt.ML.Convex;
using DiffOpt.ML.Data;
using DiffOpt.ML.Persistence;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using static TorchSharp.torch;

namespace DiffOpt.ML;

/// <summary>
/// The model a <see cref="ConvexLayerTrainer"/> trained: per row, features → network → problem parameters →
/// convex layer → decision. Writes the decision (score column), its status (<c>{score}Status</c>, a key column
/// described by <see cref="SolverStatusColumn"/>) and the predicted parameters (<c>{score}Parameters</c>). Lazy, PredictionEngine-ready, saved and loaded by
/// <c>mlContext.Model.Save/Load</c> with the problem and weights inside the model file.
/// </summary>
public sealed class ConvexLayerTransformer : DiffOptTransformer
{
    private const string FeatureRole = "feature";
    private readonly object _forwardLock = new();

    internal ConvexLayerTransformer(IHostEnvironment environment, ConvexNetwork network, string featureColumnName, string scoreColumnName, bool textStatus = false)
        : base(environment, nameof(ConvexLayerTransformer))
    {
        TextStatus = textStatus;
        Network = network;
        FeatureColumnName = featureColumnName;
        ScoreColumnName = scoreColumnName;
    }

    /// <summary>The feature column read.</summary>
    public string FeatureColumnName { get; }

    /// <summary>The decision column written.</summary>
    public string ScoreColumnName { get; }

    /// <summary>
    /// The status column written: a key column described by <see cref="SolverStatusColumn"/> (text with the same names
    /// for a model loaded from a file saved before DiffOpt.ML typed the column).
    /// </summary>
    public string StatusColumnName => ScoreColumnName + "Status";

    /// <summary>The predicted-parameters column written.</summary>
    public string ParametersColumnName => ScoreColumnName + "Parameters";

    /// <summary>The problem whose decision the model returns.</summary>
    public DiffOpt.Modeling.Problem Problem => Network.Shape.Problem;

    internal ConvexNetwork Network { get; }

    /// <summary>True for a model saved before the status column became a key: it writes the names as text.</summary>
    internal bool TextStatus { get; }

    private int FeatureSize => Network.Shape.FeatureSize;

    private int DecisionSize => Network.Shape.Decision.Shape.Size;

    private int ParameterSize => Network.Shape.ParameterSize;

    internal override AppendedColumnsMapper MakeMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private protected override void SaveModel(ModelSaveContext ctx) => ConvexLayerTransformerFormat.Save(ctx, this);

    /// <summary>Runs the network on a block of rows; rows with non-finite features get NaN and <see cref="SolverStatusColumn.NonFiniteInputKey"/>.</summary>
    private void Predict(double[] features, int count, double[] decisions, double[] parameters, uint[] status)
    {
        decisions.AsSpan(0, count * DecisionSize).Fill(double.NaN);
        parameters.AsSpan(0, count * ParameterSize).Fill(double.NaN);
        var rows = Enumerable.Range(0, count).Where(r => features.AsSpan(r * FeatureSize, FeatureSize).ToArray().All(double.IsFinite)).ToArray();
        status.AsSpan(0, count).Fill(SolverStatusColumn.NonFiniteInputKey);
        if (rows.Length == 0) return;
        lock (_forwardLock)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var x = tensor(rows.SelectMany(r => features.AsSpan(r * FeatureSize, FeatureSize).ToArray()).ToArray(), [rows.Length, FeatureSize], ScalarType.Float64);
            var theta = Network.PredictParameters(x);
            var d = Network.Decide(theta).cpu().data<double>().ToArray();
            var t = theta.cpu().data<double>().ToArray();
            for (int i = 0; i < rows.Length; i++)
            {
                int r = rows[i];
                var s = Network.LastStatus[i];
                status[r] = SolverStatusColumn.KeyOf(s);
                Array.Copy(t, i * ParameterSize, parameters, r * ParameterSize, ParameterSize);
                if (s.HasSolution())
                    Array.Copy(d, i * DecisionSize, decisions, r * DecisionSize, DecisionSize);
            }
        }
    }

    private sealed class Mapper : AppendedColumnsMapper
    {
        private readonly ConvexLayerTransformer _parent;
        private readonly DataViewSchema.Column _feature;

        public Mapper(ConvexLayerTransformer parent, DataViewSchema inputSchema)
            : base(inputSchema,
            [
                (parent.ScoreColumnName, ColumnTypes.Vector(NumberDataViewType.Single, parent.DecisionSize), null),
                SolverStatusColumn.Column(parent.StatusColumnName, parent.TextStatus),
                (parent.ParametersColumnName, ColumnTypes.Vector(NumberDataViewType.Single, parent.ParameterSize), null),
            ])
        {
            _parent = parent;
            _feature = SchemaCheck.NumericVector(inputSchema, FeatureRole, parent.FeatureColumnName, parent.FeatureSize);
        }

        protected override IEnumerable<DataViewSchema.Column> Dependencies => [_feature];

        public override int BlockSize => 64;

        public override BlockComputation CreateComputation(DataViewRow input, int blockSize) =>
            new Computation(_parent, VectorReader.Create(input, _feature), blockSize);
    }

    /// <summary>Reads feature vectors into a block, runs the network once per block, serves each row's outputs.</summary>
    private sealed class Computation(ConvexLayerTransformer parent, VectorReader reader, int blockSize) : BlockComputation
    {
        private readonly double[] _features = new double[blockSize * parent.FeatureSize];
        private readonly double[] _decisions = new double[blockSize * parent.DecisionSize];
        private readonly double[] _parameters = new double[blockSize * parent.ParameterSize];
        private readonly uint[] _status = new uint[blockSize];

        public override void ReadRow(int slot) => reader.Read(_features.AsSpan(slot * parent.FeatureSize, parent.FeatureSize));

        public override void Compute(int count) => parent.Predict(_features, count, _decisions, _parameters, _status);

        public override Delegate?[] CreateGetters(Func<int> slot, bool[] active) =>
        [
            active[0] ? VectorWriter.Getter(NumberDataViewType.Single, () => _decisions.AsMemory(slot() * parent.DecisionSize, parent.DecisionSize)) : null,
            active[1] ? SolverStatusColumn.Getter(_status, slot, parent.TextStatus) : null,
            active[2] ? VectorWriter.Getter(NumberDataViewType.Single, () => _parameters.AsMemory(slot() * parent.ParameterSize, parent.ParameterSize)) : null,
        ];
    }
}
