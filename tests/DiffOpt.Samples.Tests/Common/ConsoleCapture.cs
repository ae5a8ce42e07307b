namespace DiffOpt.Samples.Tests.Common;

/// <summary>Runs a console entry point and captures its exit code, stdout and stderr.</summary>
public static class ConsoleCapture
{
    private static readonly object Gate = new();

    public static (int ExitCode, string Out, string Error) Run(Func<string[], int> main, params string[] args)
    {
        lock (Gate)
        {
            var (oldOut, oldError) = (Console.Out, Console.Error);
            var (stdout, stderr) = (new StringWriter(), new StringWriter());
            Console.SetOut(stdout);
            Console.SetError(stderr);
            try
            {
                int code = main(args);
                return (code, stdout.ToString(), stderr.ToString());
            }
            finally
            {
                Console.SetOut(oldOut);
                Console.SetError(oldError);
            }
        }
    }

    /// <summary>The non-empty lines of a text.</summary>
    public static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
