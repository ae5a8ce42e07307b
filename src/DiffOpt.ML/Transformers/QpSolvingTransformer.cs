using DiffOpt.ML.Data;
using DiffOpt.ML.Persistence;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace DiffOpt.ML;

/// <summary>
/// Solves a QP per row (see <see cref="QpSolvingEstimator"/>) and writes the solution vector and a status column.
/// <see cref="Transform"/> is lazy; the transformer works with PredictionEngine and is saved and loaded by
/// <c>mlContext.Model.Save/Load</c>.
/// </summary>
public sealed class QpSolvingTransformer : ITransformer
{
    private readonly IHost _host;
    private readonly QpRowSolver _solver;

    internal QpSolvingTransformer(IHostEnvironment environment, QpSolvingSettings settings)
    {
        _host = environment.Register(nameof(QpSolvingTransformer));
        Settings = settings;
        _solver = new QpRowSolver(settings);
    }

    /// <summary>The solution column written.</summary>
    public string OutputColumnName => Settings.OutputColumnName;

    /// <summary>The status column written (text: a <see cref="Qp.QpStatus"/> name, or "NonFiniteInput").</summary>
    public string StatusColumnName => Settings.StatusColumnName;

    /// <summary>The column holding the linear term p.</summary>
    public string LinearTermColumnName => Settings.LinearTermColumnName;

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    internal QpSolvingSettings Settings { get; }

    /// <summary>The input schema with the solution and status columns added.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or has the wrong type or length.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => new Mapper(this, inputSchema).OutputSchema;

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    /// <summary>Returns the lazy view of <paramref name="input"/> with the solution and status columns added.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or has the wrong type or length.</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new AppendedColumnsDataView(input, new Mapper(this, input.Schema));
    }

    void ICanSaveModel.Save(ModelSaveContext ctx) => QpSolvingTransformerFormat.Save(ctx, this);

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

        private static (string, DataViewType)[] OutputColumns(QpSolvingSettings settings, DataViewSchema inputSchema)
        {
            var p = QpSolvingEstimator.CheckColumns(inputSchema, settings)[0];
            return
            [
                (settings.OutputColumnName, ColumnTypes.Vector(ColumnTypes.ItemType(p.Type), settings.VariableCount)),
                (settings.StatusColumnName, TextDataViewType.Instance),
            ];
        }

        protected override Delegate?[] CreateGetters(DataViewRow input, bool[] active)
        {
            var settings = _parent.Settings;
            var p = new double[settings.VariableCount];
            var readers = _inputs.Select(c => VectorReader.Create(input, c)).ToArray();
            var h = settings.InequalityBoundColumnName is null ? null : new double[settings.InequalityCount];
            var b = settings.EqualityBoundColumnName is null ? null : new double[settings.EqualityCount];
            var solution = new double[settings.VariableCount];
            var status = "";
            var position = -1L;
            void Compute()
            {
                if (position == input.Position)
                    return;
                var next = 0;
                readers[next++].Read(p);
                if (h is not null)
                    readers[next++].Read(h);
                if (b is not null)
                    readers[next].Read(b);
                status = _parent._solver.Solve(p, h, b, solution);
                position = input.Position;
            }
            var solutionGetter = VectorWriter.Getter(ColumnTypes.ItemType(OutputSchema[settings.OutputColumnName].Type), () =>
            {
                Compute();
                return solution;
            });
            ValueGetter<ReadOnlyMemory<char>> statusGetter = (ref ReadOnlyMemory<char> value) =>
            {
                Compute();
                value = status.AsMemory();
            };
            return [active[0] ? solutionGetter : null, active[1] ? statusGetter : null];
        }
    }
}
