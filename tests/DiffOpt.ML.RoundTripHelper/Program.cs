// Usage: DiffOpt.ML.RoundTripHelper <model.zip> <rows.bin> <outputs.bin> <column,column,...> [--register]
// Loads the model with a fresh MLContext (no DiffOpt registration call beyond the optional module factory),
// transforms the rows and writes the encoded output columns. Exit codes: 0 ok, 2 usage, 3 load failed
// (the exception's type and message go to standard error).
using DiffOpt.ML.RoundTripHelper;
using Microsoft.ML;

if (args.Length < 4)
{
    Console.Error.WriteLine("usage: DiffOpt.ML.RoundTripHelper <model.zip> <rows.bin> <outputs.bin> <columns> [--register]");
    return 2;
}
var ml = new MLContext(seed: 123);
if (args.Contains("--register"))
    RoundTripModules.Register(ml);
ITransformer model;
try
{
    model = ml.Model.Load(args[0], out _);
}
catch (Exception e)
{
    for (var inner = e; inner is not null; inner = inner.InnerException)
        Console.Error.WriteLine($"{inner.GetType().FullName}: {inner.Message}");
    return 3;
}
var rows = RoundTripData.ReadRows(args[1]);
var output = model.Transform(ml.Data.LoadFromEnumerable(rows));
File.WriteAllBytes(args[2], RoundTripData.EncodeColumns(output, args[3].Split(',')));
return 0;
