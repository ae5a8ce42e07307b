using System.Runtime.CompilerServices;

namespace DiffOpt.Modeling;

/// <summary>
/// The message of an atom's argument check (<c>Atom.Require</c>), formatted only when the check fails: building an
/// expression then prints no sub-expressions (nor compiles the printing code on a first build).
/// </summary>
[InterpolatedStringHandler]
internal ref struct RequireMessage
{
    private DefaultInterpolatedStringHandler _text;

    /// <summary>Starts the message when <paramref name="ok"/> is false; otherwise nothing is appended.</summary>
    public RequireMessage(int literalLength, int formattedCount, bool ok, out bool append)
    {
        append = !ok;
        _text = append ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
    }

    /// <summary>Appends literal text.</summary>
    public void AppendLiteral(string value) => _text.AppendLiteral(value);

    /// <summary>Appends a value.</summary>
    public void AppendFormatted<T>(T value) => _text.AppendFormatted(value);

    /// <summary>The message.</summary>
    public string ToStringAndClear() => _text.ToStringAndClear();
}
