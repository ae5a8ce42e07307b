using DiffOpt.Cones;
using DiffOpt.Layers;
using DiffOpt.Native;
using DiffOpt.Tests.TestSupport;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Native;

/// <summary>
/// <see cref="NativeMemoryTuning"/> is the application's choice: solving and differentiating never touch the process's
/// allocator, and <see cref="NativeMemoryTuning.Apply"/> makes exactly the two documented <c>mallopt</c> calls. The
/// tests replace the call to glibc by a recorder (one class, so xUnit runs them one after another).
/// </summary>
public sealed class NativeMemoryTuningTests : IDisposable
{
    private readonly Func<int, int, int> _glibc = NativeMemoryTuning.Mallopt;
    private readonly List<(int Parameter, int Value)> _calls = [];

    public NativeMemoryTuningTests() => NativeMemoryTuning.Mallopt = Recorder(result: 1);

    public void Dispose() => NativeMemoryTuning.Mallopt = _glibc;

    private Func<int, int, int> Recorder(int result) => (parameter, value) =>
    {
        lock (_calls) _calls.Add((parameter, value));
        return result;
    };

    [Fact]
    public void SolvesAndGradients_LeaveTheAllocatorAlone()
    {
        var qp = QpTensors.Single(new ProblemGenerator(7).Feasible(6, 5, 1).Problem).Leaves(QpTensors.AllArgs);
        Assert.Equal(SolverStatus.Solved, qp.Solve().Status[0]);
        qp.Apply().sum().backward();
        using (var layer = new QpLayer())
            layer.forward(qp.Q, qp.P, qp.G, qp.H, qp.A, qp.B).sum().backward();

        // minimize 1ᵀx subject to x ≥ 0 (A = −I, b = 0), solved and differentiated.
        var (a, b, c) = (-eye(3, dtype: ScalarType.Float64), zeros(3, dtype: ScalarType.Float64), ones(3, dtype: ScalarType.Float64));
        var cones = new Cone[] { new NonnegativeCone(3) };
        Assert.Equal(SolverStatus.Solved, new ConeProgramSolver().Solve(a, b, c, cones).Status[0]);
        c.requires_grad_(true);
        ConeProgramFunction.Apply(a, b, c, cones).X.sum().backward();

        Assert.Empty(_calls);
    }

    [Fact]
    public void Apply_SetsGlibcsMmapThresholdTo4MiB_AndTrimThresholdTo128MiB_OnLinuxOnly()
    {
        bool applied = NativeMemoryTuning.Apply();

        Assert.Equal(OperatingSystem.IsLinux(), applied);
        if (applied)
        {
            Assert.Equal(new[] { (-3, 4 * 1024 * 1024), (-1, 128 * 1024 * 1024) }, _calls); // M_MMAP_THRESHOLD, M_TRIM_THRESHOLD in glibc's malloc.h
            Assert.True(NativeMemoryTuning.IsApplied);
        }
        else Assert.Empty(_calls);
    }

    [Fact]
    public void ApplyWithAThreshold_PassesItOn_AndRefusesValuesGlibcDoesNotAccept()
    {
        bool applied = NativeMemoryTuning.Apply(1024 * 1024);
        if (applied) Assert.Equal(new[] { (-3, 1024 * 1024), (-1, 128 * 1024 * 1024) }, _calls);

        Assert.Throws<ArgumentOutOfRangeException>("mmapThresholdBytes", () => NativeMemoryTuning.Apply(0));
        Assert.Throws<ArgumentOutOfRangeException>("mmapThresholdBytes", () => NativeMemoryTuning.Apply(-1));
        Assert.Throws<ArgumentOutOfRangeException>("mmapThresholdBytes",
            () => NativeMemoryTuning.Apply(NativeMemoryTuning.MaximumMmapThresholdBytes + 1));
        Assert.Equal(applied ? 2 : 0, _calls.Count);
    }

    [Fact]
    public void Apply_ReturnsFalse_WhenTheCLibraryRefusesOrHasNoMallopt()
    {
        NativeMemoryTuning.Mallopt = Recorder(result: 0); // mallopt's error return
        Assert.False(NativeMemoryTuning.Apply());

        NativeMemoryTuning.Mallopt = (parameter, _) => parameter == -1 ? 0 : 1; // refuses only the trim threshold
        Assert.False(NativeMemoryTuning.Apply());

        NativeMemoryTuning.Mallopt = (_, _) => throw new EntryPointNotFoundException("mallopt");
        Assert.False(NativeMemoryTuning.Apply());
    }

    [GlibcFact]
    public void Apply_ReachesGlibc()
    {
        NativeMemoryTuning.Mallopt = _glibc;
        Assert.True(NativeMemoryTuning.Apply());
        Assert.True(NativeMemoryTuning.IsApplied);
    }

    /// <summary>A fact about glibc's own <c>mallopt</c>: skipped, and reported as skipped, where the process does not use glibc.</summary>
    private sealed class GlibcFactAttribute : FactAttribute
    {
        public GlibcFactAttribute()
        {
            if (!UsesGlibc()) Skip = "needs Linux with glibc (libc.so.6 mapped into the process)";
        }

        private static bool UsesGlibc() =>
            OperatingSystem.IsLinux() && File.Exists("/proc/self/maps") && File.ReadAllText("/proc/self/maps").Contains("/libc.so.6");
    }
}
