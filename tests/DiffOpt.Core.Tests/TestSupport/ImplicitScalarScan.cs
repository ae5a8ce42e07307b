using System.Reflection;
using System.Reflection.Emit;
using TorchSharp;

namespace DiffOpt.Tests.TestSupport;

/// <summary>
/// Finds, in a compiled assembly's IL, the TorchSharp calls that pass a temporary <see cref="Scalar"/> to libtorch
/// with nothing keeping it alive during the native call (docs/guides/concepts.md, "TorchSharp's temporary scalars"; the remedy is
/// <c>DiffOpt.Native.ScalarSafeOperations</c>). Two kinds are reported: a scalar conversion
/// (<c>Scalar.op_Implicit</c>, <c>ToScalar</c>) whose result is passed on instead of being stored in a static field
/// or in a local that the method disposes; and a call to a TorchSharp method that makes such a temporary itself
/// (found by the same scan of TorchSharp's own IL, one call level deep: <c>Tensor + Tensor</c>, <c>2 * t</c>, ...).
/// </summary>
public static class ImplicitScalarScan
{
    private const BindingFlags Declared =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private static readonly Lazy<HashSet<MethodBase>> TorchMethodsMakingTemporaries = new(FindTorchMethodsMakingTemporaries);

    /// <summary>One offending call: the calling method and the TorchSharp member it calls.</summary>
    public sealed record Finding(string Caller, string Callee)
    {
        /// <inheritdoc />
        public override string ToString() => $"{Caller} -> {Callee}";
    }

    /// <summary>Every offending call in <paramref name="assembly"/>'s method bodies.</summary>
    public static IReadOnlyList<Finding> Scan(Assembly assembly) =>
        assembly.GetTypes().SelectMany(MethodsOf).SelectMany(Findings).ToList();

    /// <summary>Every offending call in one method's body.</summary>
    public static IReadOnlyList<Finding> Scan(MethodBase method) => Findings(method).ToList();

    /// <summary>
    /// Every offending call in the test assembly of <paramref name="scanTests"/> outside that class, whose helpers use
    /// the implicit forms on purpose (to show that the scan finds them). Test classes run in parallel, so a test's own
    /// <c>a + b</c> races with another test's garbage collections exactly like library code.
    /// </summary>
    public static IReadOnlyList<Finding> ScanTestCode(Type scanTests)
    {
        string member = scanTests.FullName + ".", nested = scanTests.FullName + "+";
        return Scan(scanTests.Assembly)
            .Where(f => !f.Caller.StartsWith(member, StringComparison.Ordinal) && !f.Caller.StartsWith(nested, StringComparison.Ordinal))
            .ToList();
    }

    /// <summary>A failure message: how many findings, and the first 40 of them.</summary>
    public static string Report(IReadOnlyList<Finding> findings) =>
        $"{findings.Count} TorchSharp calls with a temporary scalar (use DiffOpt.Native.ScalarSafeOperations):\n" +
        string.Join("\n", findings.Take(40));

    private static IEnumerable<Finding> Findings(MethodBase method)
    {
        var calls = Calls(method).ToList();
        bool disposesALocal = calls.Any(c => c.Callee.Name == "Dispose");
        foreach (var (callee, next) in calls)
        {
            bool temporary = MakesScalar(callee) && !(next == OpCodes.Stsfld || IsStoreLocal(next) && disposesALocal);
            if (temporary || TorchMethodsMakingTemporaries.Value.Contains(callee))
                yield return new Finding($"{method.DeclaringType?.FullName}.{method.Name}", Describe(callee));
        }
    }

    private static HashSet<MethodBase> FindTorchMethodsMakingTemporaries()
    {
        var torch = typeof(Scalar).Assembly;
        var methods = torch.GetTypes().SelectMany(MethodsOf).ToList();
        var direct = methods.Where(m => Calls(m).Any(c => MakesScalar(c.Callee))).ToHashSet();
        var oneLevel = methods.Where(m => Calls(m).Any(c => direct.Contains(c.Callee)));
        return direct.Concat(oneLevel).ToHashSet();
    }

    private static bool MakesScalar(MethodBase callee) =>
        callee.DeclaringType == typeof(Scalar) && callee.Name == "op_Implicit"
        || callee.Name == "ToScalar" && callee.DeclaringType?.Assembly == typeof(Scalar).Assembly;

    private static bool IsStoreLocal(OpCode? code) =>
        code is { } c && (c == OpCodes.Stloc || c == OpCodes.Stloc_S || c == OpCodes.Stloc_0 || c == OpCodes.Stloc_1
            || c == OpCodes.Stloc_2 || c == OpCodes.Stloc_3);

    private static IEnumerable<MethodBase> MethodsOf(Type type) =>
        type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared));

    private static string Describe(MethodBase callee) =>
        $"{callee.DeclaringType?.Name}.{callee.Name}({string.Join(", ", callee.GetParameters().Select(p => p.ParameterType.Name))})";

    /// <summary>The methods a body calls (call, callvirt, newobj), each with the opcode that follows the call.</summary>
    private static IEnumerable<(MethodBase Callee, OpCode? Next)> Calls(MethodBase method)
    {
        byte[]? il;
        try { il = method.GetMethodBody()?.GetILAsByteArray(); }
        catch (Exception e) when (e is BadImageFormatException or InvalidOperationException) { yield break; }
        if (il is null) yield break;
        MethodBase? pending = null;
        for (int i = 0; i < il.Length;)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var code = OpCodesByValue[value];
            if (pending is not null)
            {
                yield return (pending, code);
                pending = null;
            }
            if (code.OperandType == OperandType.InlineMethod)
                pending = Resolve(method, BitConverter.ToInt32(il, i));
            i += OperandSize(code.OperandType, il, i);
        }
        if (pending is not null) yield return (pending, null);
    }

    private static MethodBase? Resolve(MethodBase method, int token)
    {
        try
        {
            var typeArguments = method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null;
            var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
            return method.Module.ResolveMethod(token, typeArguments, methodArguments);
        }
        catch (Exception e) when (e is ArgumentException or BadImageFormatException or TypeLoadException or FileNotFoundException)
        {
            return null;
        }
    }

    private static int OperandSize(OperandType type, byte[] il, int at) => type switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
        _ => 4,
    };
}
