using System.Globalization;

namespace DiffOpt.Samples;

/// <summary>Runs a sample command: expected failures become one line on stderr and exit code 1.</summary>
public static class CommandRunner
{
    /// <summary>
    /// Runs <paramref name="body"/>. A <see cref="SampleException"/> prints <c>error: message</c>; a
    /// <see cref="NotImplementedException"/> (a part waiting for a library) prints
    /// <c>error: not available yet: message</c>; both return 1. Anything else is a bug and propagates.
    /// </summary>
    public static int Run(Func<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            return body();
        }
        catch (SampleException e)
        {
            Console.Error.WriteLine($"error: {OneLine(e.Message)}");
            return 1;
        }
        catch (NotImplementedException e)
        {
            Console.Error.WriteLine($"error: not available yet: {OneLine(e.Message)}");
            return 1;
        }
    }

    /// <summary>Turns an <see cref="ArgumentException"/> from validating options into a one-line <see cref="SampleException"/>.</summary>
    public static T Checked<T>(Func<T> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        try
        {
            return create();
        }
        catch (ArgumentException e)
        {
            throw new SampleException(OneLine(e.Message), e);
        }
    }

    /// <summary>Joins the lines of a message into one.</summary>
    public static string OneLine(string text) =>
        string.Join(' ', (text ?? "").Split('\n', '\r', StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Formats with the invariant culture (results are parsed by scripts).</summary>
    public static string Invariant(FormattableString text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.ToString(CultureInfo.InvariantCulture);
    }
}
