using System.Diagnostics;

namespace DiffOpt.ML.Tests.Infrastructure;

/// <summary>Runs DiffOpt.ML.RoundTripHelper (copied next to the tests) in a fresh process.</summary>
internal static class HelperProcess
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError);

    public static Result Run(params string[] arguments)
    {
        var helper = Path.Combine(AppContext.BaseDirectory, "DiffOpt.ML.RoundTripHelper.dll");
        Assert.True(File.Exists(helper), $"helper not built: {helper}");
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(helper);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the helper process did not finish within 3 minutes");
        }
        return new Result(process.ExitCode, output.Result, error.Result);
    }

    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
            return host;
        var current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }
}
