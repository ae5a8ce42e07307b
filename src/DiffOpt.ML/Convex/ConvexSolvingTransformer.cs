using DiffOpt.ML.Convex;
using DiffOpt.ML.Persistence;
using DiffOpt.ML.Data;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace DiffOpt.ML;

/// <summary>
/// Solves a convex problem per row (see <see cref="ConvexSolvingEstimator"/>) and writes the chosen variables and
/// a status column. <see cref="DiffOptTransformer.Transform"/> is lazy; the transformer works with PredictionEngine and is saved and
/// loaded by <c>mlContext.Model.Save/Load</c> with the problem inside the model file.
/// </summary>
public sealed class ConvexSolvingTransformer : DiffOptTransformer
{
    private readonly ConvexRowSolver _solver;

    internal ConvexSolvingTransformer(IHostEnvironment environment, ConvexSolvingSettings settings)
        : base(environment, nameof(ConvexSolvingTransformer))
    {
        Settings = settings;
        _solver = new ConvexRowSolver(settings);
    }

    /// <summary>The problem solved per row.</summary>
    public DiffOpt.Modeling.Problem Problem => Settings.Problem;

    /// <summary>The parameter bindings (input columns).</summary>
    public IReadOnlyList<ParameterColumn> Inputs => Settings.Inputs;

    /// <summary>The variable bindings (output columns).</summary>
    public IReadOnlyList<VariableColumn> Outputs => Settings.Outputs;

    /// <summary>
    /// The status column written: a key column described by <see cref="SolverStatusColumn"/> (text with the same names
    /// for a model loaded from a file saved before DiffOpt.ML typed the column).
    /// </summary>
    public string StatusColumnName => Settings.StatusColumnName;

    internal ConvexSolvingSettings Settings { get; }

    internal override AppendedColumnsMapper MakeMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private protected override void SaveModel(ModelSaveContext ctx) => ConvexSolvingTransformerFormat.Save(ctx, this);

    private sealed class Mapper : AppendedColumnsMapper
    {
        private readonly ConvexSolvingTransformer _parent;
        private readonly DataViewSchema.Column[] _inputs;

        public Mapper(ConvexSolvingTransformer parent, DataViewSchema inputSchema)
            : base(inputSchema, OutputColumns(parent.Settings, inputSchema))
        {
            _parent = parent;
            _inputs = ConvexSolvingEstimator.CheckColumns(inputSchema, parent.Settings);
        }

        protected override IEnumerable<DataViewSchema.Column> Dependencies => _inputs;

        public override int BlockSize => 64;

        private static (string, DataViewType, DataViewSchema.Annotations?)[] OutputColumns(ConvexSolvingSettings settings, DataViewSchema inputSchema)
        {
            var item = ColumnTypes.ItemType(ConvexSolvingEstimator.CheckColumns(inputSchema, settings)[0].Type);
            return settings.Outputs.Select(o => (o.ColumnName, (DataViewType)ColumnTypes.Vector(item, o.Variable.Shape.Size), (DataViewSchema.Annotations?)null))
                .Append(SolverStatusColumn.Column(settings.StatusColumnName, settings.TextStatus)).ToArray();
        }

        public override BlockComputation CreateComputation(DataViewRow input, int blockSize)
        {
            var readers = _inputs.Select(c => VectorReader.Create(input, c)).ToArray();
            var item = ColumnTypes.ItemType(OutputSchema[_parent.Settings.Outputs[0].ColumnName].Type);
            return new Computation(_parent._solver, readers, item, blockSize, _parent.Settings.TextStatus);
        }
    }

    /// <summary>Reads the parameter values of a block of rows, solves them as one batch, serves each row's results.</summary>
    private sealed class Computation : BlockComputation
    {
        private readonly ConvexRowSolver _solver;
        private readonly VectorReader[] _readers;
        private readonly DataViewType _itemType;
        private readonly double[][] _inputs;
        private readonly double[][] _outputs;
        private readonly uint[] _status;
        private readonly bool _textStatus;

        public Computation(ConvexRowSolver solver, VectorReader[] readers, DataViewType itemType, int blockSize, bool textStatus)
        {
            _textStatus = textStatus;
            _solver = solver;
            _readers = readers;
            _itemType = itemType;
            _inputs = solver.InputSizes.Select(n => new double[blockSize * n]).ToArray();
            _outputs = solver.OutputSizes.Select(n => new double[blockSize * n]).ToArray();
            _status = new uint[blockSize];
        }

        public override void ReadRow(int slot)
        {
            for (int i = 0; i < _readers.Length; i++)
            {
                int n = _solver.InputSizes[i];
                _readers[i].Read(_inputs[i].AsSpan(slot * n, n));
            }
        }

        public override void Compute(int count) => _solver.Solve(count, _inputs, _outputs, _status);

        public override Delegate?[] CreateGetters(Func<int> slot, bool[] active)
        {
            var getters = new Delegate?[_outputs.Length + 1];
            for (int o = 0; o < _outputs.Length; o++)
            {
                int index = o, n = _solver.OutputSizes[o];
                if (active[o])
                    getters[o] = VectorWriter.Getter(_itemType, () => _outputs[index].AsMemory(slot() * n, n));
            }
            if (active[^1])
                getters[^1] = SolverStatusColumn.Getter(_status, slot, _textStatus);
            return getters;
        }
    }
}
