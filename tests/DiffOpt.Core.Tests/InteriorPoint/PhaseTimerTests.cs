using DiffOpt.InteriorPoint;
using DiffOpt.Qp;
using static TorchSharp.torch;

namespace DiffOpt.Core.Tests.InteriorPoint;

[Collection(nameof(WorkingSetSensitive))]
public class PhaseTimerTests
{
    [Fact]
    public void NestedScopesBookExclusiveTimeThatAddsUpToTheOuterScope()
    {
        var recording = PhaseTimer.Start();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            using (PhaseTimer.Measure("outer", items: 3))
            {
                Thread.Sleep(20);
                using (PhaseTimer.Measure("inner", items: 5)) Thread.Sleep(30);
                using (PhaseTimer.Measure("inner", items: 5)) Thread.Sleep(30);
            }
        }
        finally
        {
            PhaseTimer.Stop();
        }
        double elapsed = watch.Elapsed.TotalMilliseconds;
        var outer = recording.Totals["outer"];
        var inner = recording.Totals["inner"];
        Assert.Equal((1, 3L), (outer.Calls, outer.Items));
        Assert.Equal((2, 10L), (inner.Calls, inner.Items));
        Assert.InRange(inner.Milliseconds, 60, elapsed);
        Assert.InRange(outer.Milliseconds, 20, elapsed - inner.Milliseconds);
        Assert.InRange(outer.Milliseconds + inner.Milliseconds, 80, elapsed);
    }

    [Fact]
    public void MemoryTrackingBooksTheWorkingSetPeakToThePhaseThatReachedIt()
    {
        // The working set is the process's: the class runs alone (see WorkingSetSensitive) and the block is large next
        // to what other tests of the process keep.
        // Finalizers of earlier tests' tensors free native memory: let them all run before the baseline is read.
        const int megabytes = 256;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long before = Environment.WorkingSet;
        var recording = PhaseTimer.Start(trackMemory: true);
        try
        {
            using (PhaseTimer.Measure("allocates"))
            {
                var block = GC.AllocateUninitializedArray<byte>(megabytes << 20);
                for (int i = 0; i < block.Length; i += 4096) block[i] = 1; // touch every page so it becomes resident
                Thread.Sleep(20);
                GC.KeepAlive(block);
            }
            using (PhaseTimer.Measure("idle")) Thread.Sleep(5);
        }
        finally
        {
            PhaseTimer.Stop();
        }
        Assert.True(recording.WorkingSetPeaks.TryGetValue("allocates", out long peak), "the allocating phase has no sample");
        Assert.InRange(peak - before, (long)(megabytes * 3 / 4) << 20, long.MaxValue);
        Assert.Empty(PhaseTimer.Start().WorkingSetPeaks);
        PhaseTimer.Stop();
    }

    [Fact]
    public void AQpForwardAndBackwardBookTheirPhasesOnlyWhileRecording()
    {
        var q = eye(3, dtype: ScalarType.Float64).unsqueeze(0).repeat(2, 1, 1).requires_grad_();
        var p = tensor(new double[] { 1, -2, 0.5, 0, 1, -1 }, dtype: ScalarType.Float64).reshape(2, 3).requires_grad_();
        var g = -eye(3, dtype: ScalarType.Float64);
        var h = zeros(3, dtype: ScalarType.Float64);

        QpFunction.Apply(q, p, g, h, null, null).sum().backward();
        var recording = PhaseTimer.Start();
        try
        {
            QpFunction.Apply(q, p, g, h, null, null).sum().backward();
        }
        finally
        {
            PhaseTimer.Stop();
        }
        QpFunction.Apply(q, p, g, h, null, null).sum().backward();

        // This strongly convex batch takes the inequality Schur form, whose factorisations are booked under its own name.
        foreach (var phase in new[] { "normalisation and Ruiz scaling", InequalitySchurKktSolver.SchurFactorisationPhase, "residuals", "backward (the rest)" })
        {
            Assert.True(recording.Totals.ContainsKey(phase), $"phase '{phase}' was not booked; booked: {string.Join(", ", recording.Totals.Keys)}");
            Assert.True(recording.Totals[phase].Calls >= 1);
        }
        Assert.Equal(1, recording.Totals["normalisation and Ruiz scaling"].Calls);
        Assert.Equal(2, recording.Totals["normalisation and Ruiz scaling"].Items);
    }
}

/// <summary>Tests that read the process's working set run with no other test in parallel.</summary>
[CollectionDefinition(nameof(WorkingSetSensitive), DisableParallelization = true)]
public sealed class WorkingSetSensitive;
