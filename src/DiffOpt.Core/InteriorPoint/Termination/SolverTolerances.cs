namespace DiffOpt.InteriorPoint;

/// <summary>
/// The tolerances that apply to one solve, chosen by the solver's options for the data's dtype: absolute and relative
/// tolerances of the residual tests (<see cref="ResidualMeasures"/>) and the relative accuracy of infeasibility
/// certificates.
/// </summary>
internal readonly record struct SolverTolerances(double Absolute, double Relative, double Infeasibility);
