using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace DiffOpt.ML.Persistence;

/// <summary>
/// Checks applied while loading: format versions (with a message that says what to do), value ranges, and the
/// integrity of binary streams. Every failure is a <see cref="FormatException"/> naming the component.
/// </summary>
internal static class FormatGuard
{
    private static readonly string LibraryVersion =
        typeof(FormatGuard).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(FormatGuard).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>
    /// The version record of a DiffOpt component: its 8-character model signature, the version it writes, the
    /// oldest version that can read what it writes, the oldest version it reads, and the loader signature that
    /// <c>[assembly: LoadableClass]</c> registers. The loader assembly name lets ML.NET find this assembly when it
    /// loads a model in a process that has not touched DiffOpt.ML yet; it is the simple name (no version), so a
    /// file saved by another DiffOpt.ML version still reaches our version check instead of an assembly-binding error.
    /// </summary>
    public static VersionInfo Version(string modelSignature, uint written, uint readable, uint readBack, string loaderSignature) =>
        new(modelSignature, written, readable, readBack, loaderAssemblyName: typeof(FormatGuard).Assembly.GetName().Name, loaderSignature: loaderSignature);

    /// <summary>Starts writing a component: positions the context and records the component's version.</summary>
    public static void StartSave(ModelSaveContext ctx, VersionInfo version)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ctx.CheckAtModel();
        ctx.SetVersionInfo(version);
    }

    /// <summary>
    /// Starts reading a component: checks its signature and format version before ML.NET's own check, so that a
    /// file written by a newer DiffOpt.ML fails with an explanation rather than a bare version mismatch.
    /// </summary>
    public static void StartLoad(IHostEnvironment env, ModelLoadContext ctx, VersionInfo version, string component)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(ctx);
        var header = ctx.Header;
        if (header.ModelSignature != version.ModelSignature)
            throw Corrupt(component, "the model signature does not match");
        if (header.ModelVerReadable > version.VerWrittenCur)
            throw new FormatException(
                $"The {component} in this model file needs format version 0x{header.ModelVerReadable:X8} (written as 0x{header.ModelVerWritten:X8}), " +
                $"but this DiffOpt.ML ({LibraryVersion}) reads format versions up to 0x{version.VerWrittenCur:X8}. " +
                "The file was saved by a newer DiffOpt.ML: load it with that version or newer.");
        if (header.ModelVerWritten < version.VerWeCanReadBack)
            throw new FormatException(
                $"The {component} in this model file has format version 0x{header.ModelVerWritten:X8}, older than the oldest this DiffOpt.ML " +
                $"({LibraryVersion}) reads (0x{version.VerWeCanReadBack:X8}).");
        ctx.CheckAtModel(version);
    }

    /// <summary>The exception for a file whose content is not what this component wrote.</summary>
    public static FormatException Corrupt(string component, string detail) =>
        new($"The {component} in this model file is corrupt: {detail}.");

    /// <summary>Reads a 32-bit count and checks it lies in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static int ReadCount(BinaryReader reader, string component, string what, int min, int max = 1 << 24)
    {
        var value = reader.ReadInt32();
        if (value < min || value > max)
            throw Corrupt(component, $"{what} is {value}, expected a value in [{min}, {max}]");
        return value;
    }

    /// <summary>Reads a non-empty name (a column or module name).</summary>
    public static string ReadName(BinaryReader reader, string component)
    {
        var name = reader.ReadString();
        if (string.IsNullOrWhiteSpace(name))
            throw Corrupt(component, "a name is empty");
        return name;
    }

    /// <summary>Reads a name written as "" for none.</summary>
    public static string? ReadOptionalName(BinaryReader reader) => reader.ReadString() is { Length: > 0 } name ? name : null;

    /// <summary>Reads a finite double.</summary>
    public static double ReadFinite(BinaryReader reader, string component, string what)
    {
        var value = reader.ReadDouble();
        if (!double.IsFinite(value))
            throw Corrupt(component, $"{what} is {value}");
        return value;
    }

    /// <summary>Reads <paramref name="count"/> finite doubles.</summary>
    public static double[] ReadFiniteArray(BinaryReader reader, string component, string what, int count)
    {
        var values = new double[count];
        for (var i = 0; i < count; i++)
            values[i] = ReadFinite(reader, component, what);
        return values;
    }
}
