namespace DiffOpt.ML;

/// <summary>The floating-point precision the network is trained and evaluated in.</summary>
public enum QpLayerPrecision
{
    /// <summary>float64: the reference precision; the solver uses <see cref="Qp.QpSolverOptions.Tolerance"/>.</summary>
    Float64,

    /// <summary>float32: faster, with the solver's looser <see cref="Qp.QpSolverOptions.Float32Tolerance"/>.</summary>
    Float32,
}
