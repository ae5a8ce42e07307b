namespace DiffOpt.Samples;

/// <summary>Reading a sample's data file and splitting it the papers' way (first rows train, the rest test).</summary>
public static class DataFile
{
    /// <summary>The share of rows used for training when no count is given (OptNet's 90 %: 9,000 of 10,000).</summary>
    public const double DefaultTrainFraction = 0.9;

    /// <summary>
    /// Reads a file with <paramref name="read"/>; a missing, unreadable or malformed file becomes a one-line
    /// <see cref="SampleException"/>.
    /// </summary>
    public static IReadOnlyList<T> Read<T>(string path, Func<string, IReadOnlyList<T>> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        try
        {
            return read(path);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException)
        {
            throw new SampleException(CommandRunner.OneLine(e.Message), e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SampleException($"cannot read data file '{path}': {CommandRunner.OneLine(e.Message)}", e);
        }
    }

    /// <summary>Splits rows into the first <paramref name="trainCount"/> (default: the first 90 %) and the rest.</summary>
    /// <exception cref="SampleException">The split would leave no training or no test row.</exception>
    public static (IReadOnlyList<T> Train, IReadOnlyList<T> Test) Split<T>(IReadOnlyList<T> rows, int? trainCount, string path)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int n = trainCount ?? (int)(rows.Count * DefaultTrainFraction);
        if (n < 1 || n >= rows.Count)
            throw new SampleException($"data file '{path}' has {rows.Count} rows; the training split must leave at least one training and one test row (got {n} training rows)");
        return (rows.Take(n).ToList(), rows.Skip(n).ToList());
    }
}
