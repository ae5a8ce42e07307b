namespace DiffOpt.Samples;

/// <summary>
/// A failure a sample's command line reports as one line (missing, corrupted or wrong-format data or model
/// file, bad option value) before exiting with code 1.
/// </summary>
public sealed class SampleException : Exception
{
    /// <summary>Creates the exception with its one-line message.</summary>
    public SampleException(string message) : base(message) { }

    /// <summary>Creates the exception with its one-line message and the underlying failure.</summary>
    public SampleException(string message, Exception inner) : base(message, inner) { }
}
