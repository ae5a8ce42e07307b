using System.CommandLine;
using System.Globalization;
using DiffOpt.Benchmarks.Common;
using static TorchSharp.torch;

namespace DiffOpt.Benchmarks.QpPhases;

/// <summary>
/// <c>denoising-phases DATA.csv --batch B --perturbation E</c>: the phase table of <see cref="QpPhasesCommand"/> for the
/// QP of the denoising sample's learned total-variation layer (the dual box QP min ½uᵀ(DDᵀ)u − (Dx)ᵀu s.t.
/// −w ≤ u ≤ w): Q = DDᵀ shared by the batch, D the (n−1)×n first-difference matrix plus E times standard normal
/// entries (E &gt; 0 makes Q dense, as training does), p = −Dx for the first B signals x of the file, G = [I; −I] and
/// per-signal weights w = λ·exp(0.1·N(0,1)) (the adaptive weights of the trained layer vary about λ). As in the
/// layer, Q, p and h require grad, G does not.
/// </summary>
public static class DenoisingPhasesCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var input = new Argument<FileInfo>("data") { Description = "Denoising CSV (x0..x99,y0..y99), e.g. OptNet's denoising.csv." };
        var (threads, reps, warmup, json) = QpPhasesCommand.CommonOptions();
        var batch = new Option<int>("--batch") { Description = "Signals per batch (the sample trains with 150).", DefaultValueFactory = _ => 150 };
        var perturbation = new Option<double>("--perturbation") { Description = "Standard deviation of the noise added to D (0: exact first differences).", DefaultValueFactory = _ => 0.01 };
        var lambda = new Option<double>("--lambda") { Description = "Weight λ of the TV term.", DefaultValueFactory = _ => 21.18 };
        var command = new Command("denoising-phases", "Per-phase time of forward+backward of QpFunction on the denoising layer's box QP.")
        {
            input, threads, reps, warmup, batch, perturbation, lambda, json,
        };
        command.SetAction(parse =>
        {
            if (!RunOptions.CheckAndApply(parse.GetValue(threads), parse.GetValue(reps), parse.GetValue(warmup))) return 2;
            int b = parse.GetValue(batch);
            if (b < 1) { Console.Error.WriteLine("--batch must be at least 1."); return 2; }
            using var scope = NewDisposeScope();
            var signals = ReadSignals(parse.GetValue(input)!.FullName, b);
            var inputs = Inputs(signals, parse.GetValue(perturbation), parse.GetValue(lambda));
            long n = inputs[0].shape[0], m = inputs[2].shape[0];
            var shape = new QpPhasesCommand.CaseShape($"denoising (perturbation {parse.GetValue(perturbation)})", signals.shape[0], n, m, 0);
            using var generator = new Generator(1);
            var w = randn([signals.shape[0], n], dtype: ScalarType.Float64, generator: generator);
            return QpPhasesCommand.Measure(shape, inputs, w, parse.GetValue(reps), parse.GetValue(warmup), parse.GetValue(json)?.FullName, trackMemory: false,
                differentiated: [true, true, false, true, false, false]);
        });
        return command;
    }

    /// <summary>Q, p, G, h, A, b of the layer's dual QP for the signals (B,n).</summary>
    internal static Tensor[] Inputs(Tensor signals, double perturbation, double lambda)
    {
        long n = signals.shape[1], rows = n - 1;
        using var generator = new Generator(0);
        var identity = eye(n, dtype: ScalarType.Float64);
        var d = identity.narrow(0, 1, rows) - identity.narrow(0, 0, rows)
            + perturbation * randn([rows, n], dtype: ScalarType.Float64, generator: generator);
        var weights = lambda * (0.1 * randn([signals.shape[0], rows], dtype: ScalarType.Float64, generator: generator)).exp();
        var boxRows = eye(rows, dtype: ScalarType.Float64);
        return
        [
            d.matmul(d.t()), signals.matmul(d.t()).neg(), cat([boxRows, boxRows.neg()], 0), cat([weights, weights], 1),
            zeros(0, rows, dtype: ScalarType.Float64), zeros(0, dtype: ScalarType.Float64),
        ];
    }

    /// <summary>The noisy signals x0.. of the first <paramref name="count"/> rows (B,n) of a file with columns x0..,y0...</summary>
    private static Tensor ReadSignals(string path, int count)
    {
        var lines = File.ReadLines(path).Take(count + 1).ToArray();
        int n = lines[0].Split(',').Count(c => c.StartsWith('x'));
        var values = lines.Skip(1).SelectMany(l => l.Split(',').Take(n).Select(v => double.Parse(v, CultureInfo.InvariantCulture))).ToArray();
        return tensor(values, [values.Length / n, n], ScalarType.Float64);
    }
}
