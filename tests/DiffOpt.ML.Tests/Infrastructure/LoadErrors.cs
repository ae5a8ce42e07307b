namespace DiffOpt.ML.Tests.Infrastructure;

/// <summary>What a failed model load reports, under the <see cref="System.Reflection.TargetInvocationException"/>s ML.NET wraps it in.</summary>
internal static class LoadErrors
{
    /// <summary>Runs <paramref name="action"/>, asserts it throws, and returns the innermost <see cref="FormatException"/> of the chain.</summary>
    public static FormatException InnermostFormatError(Action action)
    {
        var error = Assert.ThrowsAny<Exception>(action);
        FormatException? format = null;
        for (var e = error; e is not null; e = e.InnerException)
            format = e as FormatException ?? format;
        Assert.True(format is not null, $"no FormatException in {error}");
        return format!;
    }
}
