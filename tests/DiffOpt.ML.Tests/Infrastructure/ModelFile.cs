using System.IO.Compression;
using System.Text;

namespace DiffOpt.ML.Tests.Infrastructure;

/// <summary>Edits ML.NET model files (zip archives of model streams) to make damaged and future-version files.</summary>
internal static class ModelFile
{
    // ML.NET's model header: ulong signature at 0, …, ulong model signature at 64, uint ModelVerWritten at 72,
    // uint ModelVerReadable at 76 (fields laid out in order, see ModelHeader in Microsoft.ML.Core).
    private const int ModelSignatureOffset = 64;
    public const int ModelVerWrittenOffset = 72;
    public const int ModelVerReadableOffset = 76;

    /// <summary>
    /// Where a DiffOpt component's checksummed description lies in its Model.key: the model body starts at the
    /// header's FpModel (offset 16) with an int64 length and a 32-byte SHA-256, then the payload.
    /// </summary>
    public static (int HashStart, int PayloadStart, int Length) Description(byte[] modelKey)
    {
        var bodyStart = (int)BitConverter.ToInt64(modelKey, 16);
        return (bodyStart + sizeof(long), bodyStart + sizeof(long) + 32, (int)BitConverter.ToInt64(modelKey, bodyStart));
    }

    /// <summary>The folder (inside the archive) of the component whose Model.key carries <paramref name="signature"/>.</summary>
    public static string FindComponent(string path, string signature)
    {
        using var archive = ZipFile.OpenRead(path);
        var expected = Encoding.ASCII.GetBytes(signature);
        foreach (var entry in archive.Entries.Where(e => e.Name == "Model.key"))
        {
            var bytes = Read(entry);
            if (bytes.Length >= ModelSignatureOffset + 8 && bytes.AsSpan(ModelSignatureOffset, 8).SequenceEqual(expected))
                return entry.FullName[..^"Model.key".Length];
        }
        throw new InvalidOperationException($"No component with signature {signature} in {path}.");
    }

    /// <summary>Copies the archive, replacing the content of <paramref name="entryName"/> by <paramref name="edit"/>(content).</summary>
    public static void EditEntry(string source, string destination, string entryName, Func<byte[], byte[]> edit)
    {
        var found = false;
        using (var input = ZipFile.OpenRead(source))
        using (var output = ZipFile.Open(destination, ZipArchiveMode.Create))
        {
            foreach (var entry in input.Entries)
            {
                var bytes = Read(entry);
                if (entry.FullName == entryName)
                {
                    bytes = edit(bytes);
                    found = true;
                }
                using var stream = output.CreateEntry(entry.FullName).Open();
                stream.Write(bytes);
            }
        }
        if (!found)
            throw new InvalidOperationException($"No entry {entryName} in {source}.");
    }

    private static byte[] Read(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
