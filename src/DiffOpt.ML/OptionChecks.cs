namespace DiffOpt.ML;

/// <summary>Always-on checks of user options; each throws an ArgumentException naming the option.</summary>
internal static class OptionChecks
{
    public static void ColumnName(string? name, string option)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException($"{option} must be a non-empty column name.", option);
    }

    public static void AtLeast(int value, int minimum, string option)
    {
        if (value < minimum)
            throw new ArgumentOutOfRangeException(option, value, $"{option} must be at least {minimum}.");
    }

    public static void PositiveFinite(double value, string option)
    {
        if (!(value > 0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(option, value, $"{option} must be positive and finite.");
    }

    public static void NonNegativeFinite(double value, string option)
    {
        if (!(value >= 0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(option, value, $"{option} must be non-negative and finite.");
    }

    public static void Defined<TEnum>(TEnum value, string option) where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
            throw new ArgumentOutOfRangeException(option, value, $"Unknown {typeof(TEnum).Name} value {value}.");
    }
}
