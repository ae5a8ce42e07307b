using System.Security.Cryptography;
using System.Text;

namespace DiffOpt.ML.Persistence;

/// <summary>
/// A length-prefixed, SHA-256-checked byte block. Everything DiffOpt writes into a model file goes through one
/// (the description in Model.key and the weights stream), because neither ML.NET's reader nor TorchSharp's
/// notices every damaged byte: a flipped bit must fail the load, never change the model silently.
/// </summary>
/// <remarks>
/// Binary format: int64 length L; 32 bytes SHA-256 of the payload; L bytes payload.
/// </remarks>
internal static class ChecksummedBlob
{
    private const int HashLength = 32;

    public static void Write(BinaryWriter writer, byte[] payload)
    {
        writer.Write((long)payload.Length);
        writer.Write(SHA256.HashData(payload));
        writer.Write(payload);
    }

    /// <summary>Writes what <paramref name="write"/> produces as one checked block.</summary>
    public static void WriteSection(BinaryWriter writer, Action<BinaryWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var section = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
            write(section);
        Write(writer, buffer.ToArray());
    }

    public static byte[] Read(BinaryReader reader, string component, long maxLength = 1L << 31)
    {
        var length = reader.ReadInt64();
        if (length < 0 || length > maxLength)
            throw FormatGuard.Corrupt(component, $"a data block claims {length} bytes");
        var hash = reader.ReadBytes(HashLength);
        var payload = reader.ReadBytes((int)length);
        if (hash.Length != HashLength || payload.Length != length)
            throw FormatGuard.Corrupt(component, "a data block is truncated");
        if (!SHA256.HashData(payload).AsSpan().SequenceEqual(hash))
            throw FormatGuard.Corrupt(component, "a data block fails its SHA-256 check");
        return payload;
    }

    /// <summary>Reads a block written by <see cref="WriteSection"/> and parses all of it with <paramref name="read"/>.</summary>
    public static T ReadSection<T>(BinaryReader reader, string component, Func<BinaryReader, T> read)
    {
        var payload = Read(reader, component);
        using var section = new BinaryReader(new MemoryStream(payload), Encoding.UTF8);
        T result;
        try
        {
            result = read(section);
        }
        catch (EndOfStreamException)
        {
            throw FormatGuard.Corrupt(component, "the description ends early");
        }
        if (section.BaseStream.Position != payload.Length)
            throw FormatGuard.Corrupt(component, "the description has unread bytes");
        return result;
    }
}
