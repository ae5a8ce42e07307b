namespace DiffOpt.Samples;

/// <summary>Output files of the samples.</summary>
public static class OutputFolder
{
    /// <summary>Creates the folder <paramref name="path"/> will be written to, if missing.</summary>
    public static void EnsureFor(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
    }
}
