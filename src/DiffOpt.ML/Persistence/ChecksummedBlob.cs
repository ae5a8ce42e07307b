using System.Security.Cryptography;

namespace DiffOpt.ML.Persistence;

/// <summary>
/// A length-prefixed, SHA-256-checked byte block, for payloads (TorchSharp weights) whose own reader would not
/// notice every corruption.
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

    public static byte[] Read(BinaryReader reader, string component, long maxLength = 1L << 31)
    {
        var length = reader.ReadInt64();
        if (length < 0 || length > maxLength)
            throw FormatGuard.Corrupt(component, $"the weight block claims {length} bytes");
        var hash = reader.ReadBytes(HashLength);
        var payload = reader.ReadBytes((int)length);
        if (hash.Length != HashLength || payload.Length != length)
            throw FormatGuard.Corrupt(component, "the weight block is truncated");
        if (!SHA256.HashData(payload).AsSpan().SequenceEqual(hash))
            throw FormatGuard.Corrupt(component, "the weight block fails its SHA-256 check");
        return payload;
    }
}
