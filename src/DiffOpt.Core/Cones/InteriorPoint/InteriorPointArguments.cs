using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>Argument checks shared by the interior-point cone arithmetic (<see cref="IInteriorPointCone"/>).</summary>
internal static class InteriorPointArguments
{
    /// <summary>
    /// Checks that <paramref name="first"/> and <paramref name="second"/> are float32/float64 (B, <paramref name="rows"/>)
    /// tensors with the same batch size, dtype and device; the exception names the offending argument.
    /// </summary>
    public static void CheckPair(Tensor first, string firstName, Tensor second, string secondName, int rows, object cone)
    {
        ConeArguments.CheckBatch(first, rows, firstName, cone);
        ConeArguments.CheckBatch(second, rows, secondName, cone);
        CheckLike(first, firstName, second, secondName);
    }

    /// <summary>
    /// Checks that <paramref name="value"/> has the batch size, dtype and device of <paramref name="reference"/>
    /// (whose name is <paramref name="referenceName"/>); throws naming <paramref name="valueName"/>.
    /// </summary>
    public static void CheckLike(Tensor reference, string referenceName, Tensor value, string valueName)
    {
        if (value.shape[0] != reference.shape[0] || value.dtype != reference.dtype || value.device_type != reference.device_type)
            throw new ArgumentException(
                $"{valueName} must have the batch size, dtype and device of {referenceName} ({reference.shape[0]}, {reference.dtype}, " +
                $"{reference.device_type}); got ({value.shape[0]}, {value.dtype}, {value.device_type}).", valueName);
    }

    /// <summary>Per-item inner products ⟨a, b⟩ (B,) of (B, n) tensors.</summary>
    public static Tensor Dot(Tensor a, Tensor b) => (a * b).sum(1);
}
