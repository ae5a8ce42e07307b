using DiffOpt.ML.Data;
using DiffOpt.ML.Persistence;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace DiffOpt.ML;

/// <summary>
/// Solves a QP per row (see <see cref="QpSolvingEstimator"/>) and writes the solution vector and a status column.
/// <see cref="DiffOptTransformer.Transform"/> is lazy; the transformer works with PredictionEngine and is saved and loaded by
/// <c>mlContext.Model.Save/Load</c>.
/// </summary>
public sealed class QpSolvingTransformer : DiffOptTransformer
{
    private readonly QpRowSolver _solver;

    internal QpSolvingTransformer(IHostEnvironment environment, QpSolvingSettings settings)
        : base(environment, nameof(QpSolvingTransformer))
    {
        Settings = settings;
        _solver = new QpRowSolver(settings);
    }

    /// <summary>The solution column written.</summary>
    public string OutputColumnName => Settings.OutputColumnName;

    /// <summary>
    /// The status column written: a key column described by <see cref="SolverStatusColumn"/> (text with the same names
    /// for a model loaded from a file saved before DiffOpt.ML typed the column).
    /// </summary>
    public string StatusColumnName => Settings.StatusColumnName;

    /// <summary>The column holding the linear term p.</summary>
    public string LinearTermColumnName => Settings.LinearTermColumnName;

    internal QpSolvingSettings Settings { get; }

    internal override AppendedColumnsMapper MakeMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private protected override void SaveModel(ModelSaveContext ctx) => QpSolvingTransformerFormat.Save(ctx, this);

    private sealed class Mapper : AppendedColumnsMapper
    {
        private readonly QpSolvingTransformer _parent;
        private readonly DataViewSchema.Column[] _inputs;

        public Mapper(QpSolvingTransformer parent, DataViewSchema inputSchema)
            : base(inputSchema, OutputColumns(parent.Settings, inputSchema))
        {
            _parent = parent;
            _inputs = QpSolvingEstimator.CheckColumns(inputSchema, parent.Settings);
        }

        protected override IEnumerable<DataViewSchema.Column> Dependencies => _inputs;

        private static (string, DataViewType, DataViewSchema.Annotations?)[] OutputColumns(QpSolvingSettings settings, DataViewSchema inputSchema)
        {
            var p = QpSolvingEstimator.CheckColumns(inputSchema, settings)[0];
            return
            [
                (settings.OutputColumnName, ColumnTypes.Vector(ColumnTypes.ItemType(p.Type), settings.VariableCount), null),
                SolverStatusColumn.Column(settings.StatusColumnName, settings.TextStatus),
            ];
        }

        public override BlockComputation CreateComputation(DataViewRow input, int blockSize)
        {
            var readers = _inputs.Select(c => VectorReader.Create(input, c)).ToArray();
            var itemType = ColumnTypes.ItemType(OutputSchema[_parent.Settings.OutputColumnName].Type);
            return new Computation(_parent, readers, itemType, blockSize);
        }
    }

    /// <summary>Reads p (and h, b) of a block of rows, solves them as one batch, serves each row's solution and status.</summary>
    private sealed class Computation : BlockComputation
    {
        private readonly QpSolvingTransformer _parent;
        private readonly VectorReader[] _readers;
        private readonly DataViewType _itemType;
        private readonly double[] _p;
        private readonly double[]? _h;
        private readonly double[]? _b;
        private readonly double[] _solutions;
        private readonly uint[] _status;

        public Computation(QpSolvingTransformer parent, VectorReader[] readers, DataViewType itemType, int blockSize)
        {
            var settings = parent.Settings;
            _parent = parent;
            _readers = readers;
            _itemType = itemType;
            _p = new double[blockSize * settings.VariableCount];
            _h = settings.InequalityBoundColumnName is null ? null : new double[blockSize * settings.InequalityCount];
            _b = settings.EqualityBoundColumnName is null ? null : new double[blockSize * settings.EqualityCount];
            _solutions = new double[blockSize * settings.VariableCount];
            _status = new uint[blockSize];
        }

        private int N => _parent.Settings.VariableCount;

        public override void ReadRow(int slot)
        {
            var settings = _parent.Settings;
            var next = 0;
            _readers[next++].Read(_p.AsSpan(slot * N, N));
            if (_h is not null)
                _readers[next++].Read(_h.AsSpan(slot * settings.InequalityCount, settings.InequalityCount));
            if (_b is not null)
                _readers[next].Read(_b.AsSpan(slot * settings.EqualityCount, settings.EqualityCount));
        }

        public override void Compute(int count) => _parent._solver.Solve(count, _p, _h, _b, _solutions, _status);

        public override Delegate?[] CreateGetters(Func<int> slot, bool[] active)
        {
            var solution = VectorWriter.Getter(_itemType, () => _solutions.AsMemory(slot() * N, N));
            var status = SolverStatusColumn.Getter(_status, slot, _parent.Settings.TextStatus);
            return [active[0] ? solution : null, active[1] ? status : null];
        }
    }
}
