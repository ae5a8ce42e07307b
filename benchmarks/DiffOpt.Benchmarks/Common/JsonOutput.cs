using System.Text.Json;
using System.Text.Json.Serialization;

namespace DiffOpt.Benchmarks.Common;

/// <summary>The one JSON style of every report: camelCase, nulls kept, written to a file.</summary>
public static class JsonOutput
{
    /// <summary>Serializer options shared by writers and readers of the reports.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = false,
    };

    /// <summary>Writes <paramref name="value"/> to <paramref name="path"/> (creating its folder).</summary>
    public static void Write<T>(string path, T value)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        using var stream = File.Create(path);
        JsonSerializer.Serialize(stream, value, Options);
    }

    /// <summary>Reads a report written by <see cref="Write{T}"/>.</summary>
    public static T Read<T>(string path)
    {
        using var stream = File.OpenRead(path);
        return JsonSerializer.Deserialize<T>(stream, Options) ?? throw new InvalidDataException($"{path}: empty JSON.");
    }
}
