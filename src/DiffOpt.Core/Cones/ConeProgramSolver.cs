using DiffOpt.Native;
using DiffOpt.Qp;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// Solves batches of cone programs  minimize cᵀx + ½xᵀPx  subject to  Ax + s = b, s ∈ K  (SCS's convention; K the
/// product of the cones of a list, in row order) with a batched homogeneous-embedding interior-point method after
/// Clarabel (Goulart and Chen 2024): Nesterov–Todd scaling for the zero, nonnegative, second-order and PSD cones,
/// the Dahl–Andersen primal–dual scaling for exponential cones, infeasibility certificates from τ → 0, P used
/// directly. Items are solved and settled independently; see <see cref="ConeProgramSolution"/> for the statuses.
/// The arithmetic is float64 whatever the data's dtype (float32 data are widened, and results come back in float32);
/// on the CPU each item runs in a managed kernel, items in parallel over libtorch's intra-op threads
/// (<c>torch.set_num_threads</c>); other devices run the same method as batched tensor operations.
/// </summary>
/// <param name="options">The settings (<see cref="ConeProgramSolverOptions.Default"/> when null); validated here.</param>
public sealed class ConeProgramSolver(ConeProgramSolverOptions? options = null)
{
    /// <summary>The settings.</summary>
    public ConeProgramSolverOptions Options { get; } = Validated(options ?? ConeProgramSolverOptions.Default);

    /// <summary>Solves the batch. Arguments are checked before any work.</summary>
    /// <param name="A">(B, m, n), or (m, n) shared by the items; float32 or float64.</param>
    /// <param name="b">(B, m) or (m).</param>
    /// <param name="c">(B, n) or (n).</param>
    /// <param name="cones">The cones of K in row order; their rows must add up to m.</param>
    /// <param name="P">(B, n, n), (n, n) or null (P = 0); symmetric positive semidefinite.</param>
    /// <returns>The solutions, in the data's dtype and on its device (B = 1 when no argument is batched).</returns>
    /// <exception cref="ArgumentException">An argument is malformed; ParamName names it (A, b, c, P or cones).</exception>
    /// <exception cref="SolveFailedException">Some item has no usable solution (neither Solved nor Inaccurate) and <see cref="ConeProgramSolverOptions.ThrowOnFailure"/> is set.</exception>
    public ConeProgramSolution Solve(Tensor A, Tensor b, Tensor c, IReadOnlyList<Cone> cones, Tensor? P = null) =>
        TemporaryTensors.Hold(() => SolveCore(ConeProgramData.Create(A, b, c, cones, P)));

    /// <summary>Solves the batch starting from a previous solution (<see cref="ConeWarmStart"/>).</summary>
    /// <param name="A">(B, m, n), or (m, n) shared by the items; float32 or float64.</param>
    /// <param name="b">(B, m) or (m).</param>
    /// <param name="c">(B, n) or (n).</param>
    /// <param name="cones">The cones of K in row order; their rows must add up to m.</param>
    /// <param name="P">(B, n, n), (n, n) or null (P = 0); symmetric positive semidefinite.</param>
    /// <param name="warmStart">The point to start from: X (B, n) or (n), Y and S (B, m) or (m).</param>
    /// <returns>The solutions, in the data's dtype and on its device.</returns>
    /// <exception cref="ArgumentException">An argument is malformed; ParamName names it (A, b, c, P, cones or warmStart).</exception>
    public ConeProgramSolution Solve(Tensor A, Tensor b, Tensor c, IReadOnlyList<Cone> cones, Tensor? P, ConeWarmStart warmStart)
    {
        return TemporaryTensors.Hold(() =>
        {
            var data = ConeProgramData.Create(A, b, c, cones, P);
            return SolveCore(data, WarmArrays.Create(warmStart, data));
        });
    }

    /// <summary>
    /// Solves the batch and prepares the derivative of the solution map at the returned solution
    /// (<see cref="ConeProgramDerivativeHandle"/>; items that are not solved get zero derivative).
    /// </summary>
    /// <inheritdoc cref="Solve(Tensor, Tensor, Tensor, IReadOnlyList{Cone}, Tensor?)" />
    public (ConeProgramSolution Solution, ConeProgramDerivativeHandle Derivative) SolveWithDerivative(Tensor A, Tensor b, Tensor c,
        IReadOnlyList<Cone> cones, Tensor? P = null)
    {
        return TemporaryTensors.Hold(() => SolveWithDerivative(ConeProgramData.Create(A, b, c, cones, P), warmStart: null));
    }

    /// <summary>Solves the batch from a previous solution and prepares the derivative (see the overload without <paramref name="warmStart"/>).</summary>
    /// <inheritdoc cref="Solve(Tensor, Tensor, Tensor, IReadOnlyList{Cone}, Tensor?, ConeWarmStart)" />
    public (ConeProgramSolution Solution, ConeProgramDerivativeHandle Derivative) SolveWithDerivative(Tensor A, Tensor b, Tensor c,
        IReadOnlyList<Cone> cones, Tensor? P, ConeWarmStart warmStart)
    {
        return TemporaryTensors.Hold(() => SolveWithDerivative(ConeProgramData.Create(A, b, c, cones, P), warmStart));
    }

    /// <summary>
    /// Solves checked data (from <paramref name="warmStart"/> when given) and prepares the derivative. Callers hold the
    /// call's temporary tensors (<see cref="TemporaryTensors.Hold{T}(Func{T})"/>): the public overloads and the
    /// autograd functions do.
    /// </summary>
    internal (ConeProgramSolution Solution, ConeProgramDerivativeHandle Derivative) SolveWithDerivative(ConeProgramData data, ConeWarmStart? warmStart)
    {
        var solution = SolveCore(data, warmStart is null ? null : WarmArrays.Create(warmStart, data));
        return (solution, new ConeProgramDerivativeHandle(data, solution));
    }

    /// <summary>Solves checked data.</summary>
    internal ConeProgramSolution SolveCore(ConeProgramData data, WarmArrays? warm = null)
    {
        ConeProgramSolution solution;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var result = HomogeneousInteriorPoint.Solve(data.Wide(), Options, data.DType, warm);
            Tensor Back(Tensor value) => value.to(data.DType).MoveToOuterDisposeScope();
            solution = new ConeProgramSolution(Back(result.X), Back(result.Y), Back(result.S), result.Status, result.Iterations,
                Doubles(result.Measures.Primal), Doubles(result.Measures.Dual), Doubles(result.Measures.Gap));
        }
        // As for QPs: Inaccurate items carry a usable point, so only items without one make the solve fail.
        if (Options.ThrowOnFailure) solution.ThrowIfAnyFailed();
        return solution;
    }

    /// <summary>A (B,) float64 tensor as an array.</summary>
    private static double[] Doubles(Tensor values) => values.cpu().data<double>().ToArray();

    /// <summary>The options after <see cref="ConeProgramSolverOptions.Validate"/>.</summary>
    private static ConeProgramSolverOptions Validated(ConeProgramSolverOptions options)
    {
        options.Validate();
        return options;
    }
}
