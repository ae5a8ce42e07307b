// The consumer app of build/consumer-check.sh: what a NuGet user writes, built against the packed packages.
//   train <folder>    trains a small QP-layer model, saves <folder>/model.zip, writes the predictions of this process
//   predict <folder>  loads <folder>/model.zip (a fresh process) and writes its predictions of the same rows
//   first-use         builds a 100 x 100 least-squares ConvexLayer in a fresh process (first build timed) and says
//                     which DiffOpt.Core image the host loaded: the precompiled (ReadyToRun) one or the IL
using System.Diagnostics;
using System.Reflection.PortableExecutable;
using DiffOpt.Layers;
using DiffOpt.ML;
using DiffOpt.Modeling;
using Microsoft.ML;
using Microsoft.ML.Data;

if (args is ["first-use"])
{
    TorchSharp.torch.InitializeDeviceType(TorchSharp.DeviceType.CPU); // libtorch's own load is not the layer's build
    var watch = Stopwatch.StartNew();
    var x = new Variable(100, "x");
    var A = new Parameter(100, 100, "A");
    var b = new Parameter(100, "b");
    using (new ConvexLayer(Problem.Minimize(Atoms.SumSquares(A * x - b)), [A, b], [x]))
        Console.WriteLine($"first ConvexLayer build (100 x 100 least squares): {watch.Elapsed.TotalMilliseconds:F0} ms");
    var core = typeof(ConvexLayer).Assembly.Location;
    using var pe = new PEReader(File.OpenRead(core));
    bool precompiled = pe.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0;
    Console.WriteLine($"DiffOpt.Core image: {(precompiled ? "ReadyToRun" : "IL only")} ({Path.GetRelativePath(AppContext.BaseDirectory, core)})");
    return 0;
}
if (args.Length != 2 || args[0] is not ("train" or "predict"))
{
    Console.Error.WriteLine("usage: ConsumerCheck train|predict <folder> | first-use");
    return 2;
}
var folder = args[1];
var modelPath = Path.Combine(folder, "model.zip");
var ml = new MLContext(seed: 0);
var rows = Input.Generate(64, seed: 1);

ITransformer model;
if (args[0] == "train")
{
    var data = ml.Data.LoadFromEnumerable(rows);
    var pipeline = ml.DiffOpt().Trainers.QpLayer(new QpLayerTrainer.Options
    {
        Model = new GenericQpModel { InequalityCount = 4 },
        NumberOfEpochs = 2, BatchSize = 16, LearningRate = 0.05,
    })
        // Predict, then optimize: project the scores onto the box [-0.5, 0.5]².
        .Append(ml.Transforms.SolveQp("Decision", "Score",
            quadraticTerm: new double[,] { { 1, 0 }, { 0, 1 } },
            inequalityMatrix: new double[,] { { 1, 0 }, { 0, 1 }, { -1, 0 }, { 0, -1 } },
            inequalityBound: [0.5, 0.5, 0.5, 0.5]));
    model = pipeline.Fit(data);
    var metrics = ml.DiffOpt().Evaluate(model.Transform(data), "Label", "Decision", "DecisionStatus");
    Console.WriteLine($"decisions: MSE {metrics.MeanSquaredError:G4}, {metrics.StatusCounts.GetValueOrDefault("Solved")}/{metrics.RowCount} solved");
    ml.Model.Save(model, data.Schema, modelPath);
}
else
{
    model = ml.Model.Load(modelPath, out _);
}

var engine = ml.Model.CreatePredictionEngine<Input, Output>(model);
using var writer = new StreamWriter(Path.Combine(folder, $"predictions-{args[0]}.txt"));
foreach (var row in rows.Take(16))
{
    var output = engine.Predict(row);
    writer.WriteLine(string.Join(' ', output.Score.Concat(output.Decision).Select(v => v.ToString("R"))) + " " + SolverStatusColumn.NameOf(output.DecisionStatus));
}
Console.WriteLine($"{args[0]}: ok ({typeof(MLContext).Assembly.GetName().Name} {typeof(MLContext).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false).OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion})");
return 0;

public sealed class Input
{
    [VectorType(3)] public float[] Features { get; set; } = [];
    [VectorType(2)] public float[] Label { get; set; } = [];

    public static List<Input> Generate(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var x = Enumerable.Range(0, 3).Select(_ => (float)(2 * random.NextDouble() - 1)).ToArray();
            return new Input { Features = x, Label = [Math.Clamp(x[0] + x[1], -1f, 1f), Math.Clamp(x[1] - x[2], -1f, 1f)] };
        }).ToList();
    }
}

public sealed class Output
{
    [VectorType(2)] public float[] Score { get; set; } = [];
    [VectorType(2)] public float[] Decision { get; set; } = [];
    public uint DecisionStatus { get; set; }
}
