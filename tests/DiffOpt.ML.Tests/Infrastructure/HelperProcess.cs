using System.Diagnostics;

namespace DiffOpt.ML.Tests.Infrastructure;

/// <summary>Runs DiffOpt.ML.RoundTripHelper (copied next to the tests) in a fresh process.</summary>
internal static class HelperProcess
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError);

    /// <summary>
    /// Writes <paramref name="rows"/> into <paramref name="folder"/>, lets the helper load <paramref name="modelPath"/> and
    /// transform them in a fresh process, asserts that it succeeded and returns its encoded <paramref name="columns"/>.
    /// </summary>
    public static byte[] Outputs(string modelPath, IReadOnlyList<RoundTripHelper.RoundTripRow> rows, IReadOnlyList<string> columns, string folder)
    {
        var rowsPath = Path.Combine(folder, "helper-rows.bin");
        var outputPath = Path.Combine(folder, "helper-outputs.bin");
        RoundTripHelper.RoundTripData.WriteRows(rowsPath, rows);
        var result = Run(modelPath, rowsPath, outputPath, string.Join(',', columns));
        Assert.True(result.ExitCode == 0, $"helper exit code {result.ExitCode}: {result.StandardError}");
        return File.ReadAllBytes(outputPath);
    }

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
