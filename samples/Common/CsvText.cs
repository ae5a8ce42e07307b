using System.Text;

namespace DiffOpt.Samples;

/// <summary>The line-oriented CSV files of the samples: an exact header line, then one record per line.</summary>
public static class CsvText
{
    /// <summary>Reads a file with <paramref name="read"/>, after checking that it exists.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static IReadOnlyList<T> ReadFile<T>(string path, Func<TextReader, string, IReadOnlyList<T>> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        if (!File.Exists(path)) throw new FileNotFoundException($"data file '{path}' not found", path);
        using var reader = new StreamReader(path, Encoding.UTF8);
        return read(reader, path);
    }

    /// <summary>
    /// Reads records: the first line must be <paramref name="header"/>; each following non-empty line is parsed by
    /// <paramref name="parse"/>(line, "source: line N"); at least one record is required.
    /// </summary>
    /// <exception cref="InvalidDataException">The header is wrong, a line does not parse, or there is no record.</exception>
    public static IReadOnlyList<T> Read<T>(TextReader reader, string source, string header, Func<string, string, T> parse)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(parse);
        var first = reader.ReadLine();
        if (first is null || first.Trim() != header)
            throw new InvalidDataException($"{source}: line 1 should be the header \"{Shorten(header)}\", got {(first is null ? "an empty file" : $"\"{Shorten(first)}\"")}");
        var records = new List<T>();
        int lineNumber = 1;
        for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            if (line.Length > 0) records.Add(parse(line, $"{source}: line {lineNumber}"));
        }
        if (records.Count == 0) throw new InvalidDataException($"{source}: no records after the header");
        return records;
    }

    /// <summary>Writes the header and one line per record to a file (UTF-8, '\n' line ends), creating the folder.</summary>
    public static void WriteFile(string path, string header, IEnumerable<string> lines)
    {
        OutputFolder.EnsureFor(path);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        Write(writer, header, lines);
    }

    /// <summary>Writes the header and one line per record.</summary>
    public static void Write(TextWriter writer, string header, IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(lines);
        writer.Write(header + "\n");
        foreach (var line in lines) writer.Write(line + "\n");
    }

    /// <summary>A long text cut for an error message.</summary>
    public static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
