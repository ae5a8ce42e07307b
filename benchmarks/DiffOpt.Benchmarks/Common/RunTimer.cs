using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Benchmarks.Common;

/// <summary>Wall time and process CPU time of one run, ms (CPU time is less disturbed by other processes on a shared machine).</summary>
public readonly record struct RunTime(double WallMs, double CpuMs)
{
    /// <summary>Minor page faults of this process during the run (Linux; 0 elsewhere).</summary>
    public long MinorFaults { get; init; }
}

/// <summary>Timed repetitions of a run, as the peer harnesses time theirs: warm-ups first, each run in its own dispose scope.</summary>
public static class RunTimer
{
    /// <summary>Times <paramref name="run"/> (which returns its own time) <paramref name="reps"/> times after <paramref name="warmup"/> untimed runs; optionally a full garbage collection between runs, outside the timed region.</summary>
    public static RunTime[] Measure(int warmup, int reps, bool collect, Func<RunTime> run)
    {
        var times = new RunTime[reps];
        for (int i = 0; i < warmup + reps; i++)
        {
            using (var scope = NewDisposeScope())
            {
                var time = run();
                if (i >= warmup) times[i - warmup] = time;
            }
            if (collect)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
            }
        }
        return times;
    }

    /// <summary>Runs <paramref name="body"/> and returns its wall and process CPU time.</summary>
    public static RunTime Time(Action body)
    {
        var process = Process.GetCurrentProcess();
        long faultsBefore = MinorFaults(); // read outside both clocks
        var cpuBefore = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        body();
        double wall = watch.Elapsed.TotalMilliseconds;
        process.Refresh();
        double cpu = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds;
        return new RunTime(wall, cpu) { MinorFaults = MinorFaults() - faultsBefore };
    }

    /// <summary>This process's minor page faults so far: field 10 of /proc/self/stat (Linux; 0 elsewhere).</summary>
    private static long MinorFaults()
    {
        if (!OperatingSystem.IsLinux()) return 0;
        var stat = File.ReadAllText("/proc/self/stat");
        // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A (rows, cols) tensor as rows of doubles.</summary>
    public static double[][] ToRows(Tensor values)
    {
        long rows = values.shape[0], cols = values.shape[1];
        var flat = values.to_type(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
        return Enumerable.Range(0, (int)rows).Select(i => flat.AsSpan((int)(i * cols), (int)cols).ToArray()).ToArray();
    }
}
