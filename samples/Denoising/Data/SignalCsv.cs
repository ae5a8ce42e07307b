using System.Globalization;
using DiffOpt.Samples;

namespace Denoising.Data;

/// <summary>
/// Reads and writes the CSV of the OptNet denoising data: a header <c>x0,...,x99,y0,...,y99</c>, then one row
/// per signal, the 100 noisy values then the 100 clean ones.
/// </summary>
public static class SignalCsv
{
    /// <summary>The header line.</summary>
    public static string Header { get; } = string.Join(',',
        Enumerable.Range(0, SignalGenerator.Length).Select(i => $"x{i}").Concat(Enumerable.Range(0, SignalGenerator.Length).Select(i => $"y{i}")));

    /// <summary>Reads every example of a file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not in the format above; the message names the line and field.</exception>
    public static IReadOnlyList<SignalExample> Read(string path) => CsvText.ReadFile(path, Read);

    /// <summary>Reads every example from a reader; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="InvalidDataException">The text is not in the format above.</exception>
    public static IReadOnlyList<SignalExample> Read(TextReader reader, string source) => CsvText.Read(reader, source, Header, ParseRow);

    /// <summary>Writes examples with the header (values with 6 decimals, as the OptNet file).</summary>
    public static void Write(string path, IEnumerable<SignalExample> examples) => CsvText.WriteFile(path, Header, Lines(examples));

    /// <summary>Writes examples with the header to a writer.</summary>
    public static void Write(TextWriter writer, IEnumerable<SignalExample> examples) => CsvText.Write(writer, Header, Lines(examples));

    private static IEnumerable<string> Lines(IEnumerable<SignalExample> examples) =>
        examples.Select(e => string.Join(',', e.Noisy.Concat(e.Clean).Select(v => ((double)v).ToString("0.######", CultureInfo.InvariantCulture))));

    private static SignalExample ParseRow(string line, string where)
    {
        const int n = SignalGenerator.Length;
        var fields = line.Split(',');
        if (fields.Length != 2 * n)
            throw new InvalidDataException($"{where}: expected {2 * n} values (x0..x{n - 1}, y0..y{n - 1}), got {fields.Length}");
        var values = new float[2 * n];
        for (int i = 0; i < fields.Length; i++)
        {
            if (!float.TryParse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !float.IsFinite(values[i]))
                throw new InvalidDataException($"{where}: field {(i < n ? $"x{i}" : $"y{i - n}")} is \"{CsvText.Shorten(fields[i])}\", not a finite number");
        }
        return new SignalExample(values[..n], values[n..]);
    }
}
