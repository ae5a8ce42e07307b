using System.Reflection;
using DiffOpt.Tests.TestSupport;
using static TorchSharp.torch;

namespace DiffOpt.Tests.TestSupportTests;

/// <summary><see cref="HeldTemporariesAttribute"/>: a tensor a test creates outside any scope of its own is held.</summary>
public class HeldTemporariesTests
{
    [Fact]
    public void ATensorCreatedByATest_IsOwnedByADisposeScope()
    {
        // TorchSharp keeps the owning scope internal; reflection reads it.
        var owner = typeof(Tensor).GetProperty("OwningDisposeScope", BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Instance);
        Assert.NotNull(owner);
        Assert.NotNull(owner.GetValue(zeros(2)));
    }
}
