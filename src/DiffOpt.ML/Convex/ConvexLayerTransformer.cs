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
/// convex layer → decision; parameters bound to input columns (<see cref="ParameterColumns"/>) are read from them.
/// Writes the decision (score column), its status (<c>{score}Status</c>, a key column described by
/// <see cref="SolverStatusColumn"/>) and the predicted parameters (<c>{score}Parameters</c>). Lazy,
/// PredictionEngine-ready, saved and loaded by <c>mlContext.Model.Save/Load</c> with the problem and weights inside
/// the model file.
/// </summary>
public sealed class ConvexLayerTransformer : DiffOptTransformer
{
    private const string FeatureRole = "feature";
    private readonly object _forwardLock = new();
    private readonly int[] _fedSizes;
    private readonly bool[] _fedNonnegative;

    internal ConvexLayerTransformer(IHostEnvironment environment, ConvexNetwork network, string featureColumnName, string scoreColumnName, bool textStatus = false)
        : base(environment, nameof(ConvexLayerTransformer))
    {
        TextStatus = textStatus;
        Network = network;
        _fedSizes = network.Shape.Fed.Select(f => f.Parameter.Shape.Size).ToArray();
        _fedNonnegative = network.Shape.Fed.Select(f => f.Parameter.Nonnegative).ToArray();
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

    private int FedSize => Network.Shape.FedSize;

    /// <summary>The parameters read from input columns (empty when the network predicts every parameter).</summary>
    public IReadOnlyList<ParameterColumn> ParameterColumns => Network.Shape.Fed;

    internal override AppendedColumnsMapper MakeMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private protected override void SaveModel(ModelSaveContext ctx) => ConvexLayerTransformerFormat.Save(ctx, this);

    /// <summary>
    /// Runs the network on a block of rows (features, and the fed parameters' values side by side). Rows with
    /// non-finite values get <see cref="SolverStatusColumn.NonFiniteInputKey"/>, rows whose fed values the problem
    /// refuses <see cref="SolverStatusColumn.InvalidInputKey"/>; both get NaN outputs and leave the others untouched.
    /// </summary>
    private void Predict(double[] features, double[] fed, int count, double[] decisions, double[] parameters, uint[] status)
    {
        decisions.AsSpan(0, count * DecisionSize).Fill(double.NaN);
        parameters.AsSpan(0, count * ParameterSize).Fill(double.NaN);
        var rows = new List<int>();
        for (int r = 0; r < count; r++)
        {
            status[r] = RowProblem(features.AsSpan(r * FeatureSize, FeatureSize), fed.AsSpan(r * FedSize, FedSize));
            if (status[r] == 0) rows.Add(r);
        }
        if (rows.Count == 0) return;
        lock (_forwardLock)
        {
            try
            {
                PredictRows(rows, features, fed, decisions, parameters, status);
            }
            catch (ArgumentException)
            {
                // Values the sign check does not foresee were refused: find the row by solving each alone.
                foreach (var r in rows)
                {
                    try { PredictRows([r], features, fed, decisions, parameters, status); }
                    catch (ArgumentException) { status[r] = SolverStatusColumn.InvalidInputKey; }
                }
            }
        }
    }

    private void PredictRows(List<int> rows, double[] features, double[] fed, double[] decisions, double[] parameters, uint[] status)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = tensor(RowValues.Gather(features, rows, FeatureSize), [rows.Count, FeatureSize], ScalarType.Float64);
        var values = FedSize == 0 ? null : tensor(RowValues.Gather(fed, rows, FedSize), [rows.Count, FedSize], ScalarType.Float64);
        var theta = Network.PredictParameters(x);
        var d = Network.Decide(theta, values).cpu().data<double>().ToArray();
        var t = theta.cpu().data<double>().ToArray();
        for (int i = 0; i < rows.Count; i++)
        {
            int r = rows[i];
            var s = Network.LastStatus[i];
            status[r] = SolverStatusColumn.KeyOf(s);
            Array.Copy(t, i * ParameterSize, parameters, r * ParameterSize, ParameterSize);
            if (s.HasSolution())
                Array.Copy(d, i * DecisionSize, decisions, r * DecisionSize, DecisionSize);
        }
    }

    /// <summary>The key of what rules a row out (non-finite or refused values), or 0 when it can be solved.</summary>
    private uint RowProblem(ReadOnlySpan<double> features, ReadOnlySpan<double> fed) =>
        RowValues.Problem(features, [FeatureSize], [false]) != 0 ? SolverStatusColumn.NonFiniteInputKey
            : RowValues.Problem(fed, _fedSizes, _fedNonnegative);

    private sealed class Mapper : AppendedColumnsMapper
    {
        private readonly ConvexLayerTransformer _parent;
        private readonly DataViewSchema.Column[] _inputs;

        public Mapper(ConvexLayerTransformer parent, DataViewSchema inputSchema)
            : base(inputSchema,
            [
                (parent.ScoreColumnName, ColumnTypes.Vector(NumberDataViewType.Single, parent.DecisionSize), null),
                SolverStatusColumn.Column(parent.StatusColumnName, parent.TextStatus),
                (parent.ParametersColumnName, ColumnTypes.Vector(NumberDataViewType.Single, parent.ParameterSize), null),
            ])
        {
            _parent = parent;
            _inputs =
            [
                SchemaCheck.NumericVector(inputSchema, FeatureRole, parent.FeatureColumnName, parent.FeatureSize),
                .. parent.ParameterColumns.Select(f => SchemaCheck.NumericVector(inputSchema, ConvexLayerTrainer.ParameterRole(f), f.ColumnName, f.Parameter.Shape.Size)),
            ];
        }

        protected override IEnumerable<DataViewSchema.Column> Dependencies => _inputs;

        public override int BlockSize => 64;

        public override BlockComputation CreateComputation(DataViewRow input, int blockSize) =>
            new Computation(_parent, _inputs.Select(c => VectorReader.Create(input, c)).ToArray(), blockSize);
    }

    /// <summary>Reads feature vectors (and fed parameter values) into a block, runs the network once per block, serves each row's outputs.</summary>
    private sealed class Computation(ConvexLayerTransformer parent, VectorReader[] readers, int blockSize) : BlockComputation
    {
        private readonly double[] _features = new double[blockSize * parent.FeatureSize];
        private readonly double[] _fed = new double[blockSize * parent.FedSize];
        private readonly double[] _decisions = new double[blockSize * parent.DecisionSize];
        private readonly double[] _parameters = new double[blockSize * parent.ParameterSize];
        private readonly uint[] _status = new uint[blockSize];

        public override void ReadRow(int slot)
        {
            readers[0].Read(_features.AsSpan(slot * parent.FeatureSize, parent.FeatureSize));
            int offset = slot * parent.FedSize;
            for (int i = 1; i < readers.Length; i++)
            {
                int size = parent.ParameterColumns[i - 1].Parameter.Shape.Size;
                readers[i].Read(_fed.AsSpan(offset, size));
                offset += size;
            }
        }

        public override void Compute(int count) => parent.Predict(_features, _fed, count, _decisions, _parameters, _status);

        public override Delegate?[] CreateGetters(Func<int> slot, bool[] active) =>
        [
            active[0] ? VectorWriter.Getter(NumberDataViewType.Single, () => _decisions.AsMemory(slot() * parent.DecisionSize, parent.DecisionSize)) : null,
            active[1] ? SolverStatusColumn.Getter(_status, slot, parent.TextStatus) : null,
            active[2] ? VectorWriter.Getter(NumberDataViewType.Single, () => _parameters.AsMemory(slot() * parent.ParameterSize, parent.ParameterSize)) : null,
        ];
    }
}
