using DiffOpt.Modeling;

namespace DiffOpt.ML;

/// <summary>
/// Binds an input column to a problem parameter: a known-size Single or Double vector column holding the
/// parameter's entries (a scalar: length 1; a matrix: row-major, rows·cols entries).
/// </summary>
/// <param name="ColumnName">The input column.</param>
/// <param name="Parameter">The parameter whose value the column holds.</param>
public sealed record ParameterColumn(string ColumnName, Parameter Parameter);

/// <summary>Binds an output column to a problem variable: the column holds the variable's optimal entries (row-major).</summary>
/// <param name="ColumnName">The output column written.</param>
/// <param name="Variable">The variable whose optimal value the column holds.</param>
public sealed record VariableColumn(string ColumnName, Variable Variable);
