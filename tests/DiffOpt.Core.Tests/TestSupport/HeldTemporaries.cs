using System.Reflection;
using TorchSharp;
using Xunit.Sdk;

[assembly: DiffOpt.Tests.TestSupport.HeldTemporaries]

namespace DiffOpt.Tests.TestSupport;

/// <summary>
/// Holds every tensor a test creates until the test ends, as the library's public entry points hold theirs
/// (<c>TemporaryTensors.Hold</c>): many tests call internal code directly, and outside a dispose scope a tensor whose
/// last use is the argument of a native call (the <c>g</c> of <c>x.reshape(g.shape[0])</c>) can be finalised during
/// that call. Under <c>DIFFOPT_TEST_GC_STRESS=1</c> this crashed the test host in <c>PsdScaling.DenseHs</c> and in the
/// PSD projection, called straight from tests; without the stress it is the rare unexplained host abort.
/// </summary>
/// <remarks>
/// Applied to the whole assembly. <see cref="Before"/> opens a dispose scope on the test's thread; <see cref="After"/>
/// hands what it holds back to the garbage collector (nothing is disposed, so tensors a test leaves in a static cache
/// stay valid). A test's own scopes nest inside it as usual.
/// </remarks>
[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Class | AttributeTargets.Method)]
public sealed class HeldTemporariesAttribute : BeforeAfterTestAttribute
{
    [ThreadStatic]
    private static Stack<DisposeScope>? _scopes;

    /// <summary>Opens the test's scope.</summary>
    public override void Before(MethodInfo methodUnderTest) => (_scopes ??= new()).Push(torch.NewDisposeScope());

    /// <summary>Releases the test's tensors to the garbage collector, undisposed.</summary>
    public override void After(MethodInfo methodUnderTest)
    {
        if (_scopes is not { Count: > 0 }) return; // an async test resumed on another thread: its scope stays open there
        var scope = _scopes.Pop();
        scope.MoveToOuter(scope.DisposablesView);
        scope.Dispose();
    }
}
