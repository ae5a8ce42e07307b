using System.Diagnostics;

namespace DiffOpt.InteriorPoint;

/// <summary>
/// Wall time per phase of a solve (factorisations, KKT solves, residuals, polishing, the backward pass …), for the
/// benchmark CLI's phase report. Off unless a caller starts a recording; then every <see cref="Measure"/> scope adds
/// its exclusive time (its own time minus that of the scopes nested in it) to its phase, so the phases add up to the
/// recorded total. A recording belongs to the thread that started it and sees only the scopes opened on that thread
/// (the solves and the backward pass run on the caller's thread; the CPU kernels' worker threads open no scopes), so
/// solves on other threads neither appear in it nor disturb it. When off, a scope costs one thread-static read.
/// A recording started with memory tracking also samples the process's working set on a background thread (every
/// millisecond, and as each scope ends) and books each sample to the innermost phase then running, so a benchmark can
/// say in which phase the peak resident memory is reached (timings taken with tracking on are not comparable with
/// those taken without).
/// </summary>
internal static class PhaseTimer
{
    /// <summary>The name memory samples taken while no scope runs are booked to.</summary>
    public const string Outside = "outside the timed phases";

    [ThreadStatic]
    private static Recording? t_active;

    /// <summary>Starts recording on this thread (replacing any recording in progress here) and returns it.</summary>
    /// <param name="trackMemory">Also note the working set at the end of every scope.</param>
    public static Recording Start(bool trackMemory = false)
    {
        t_active?.StopSampling();
        return t_active = new Recording(trackMemory);
    }

    /// <summary>Stops this thread's recording.</summary>
    public static void Stop()
    {
        t_active?.StopSampling();
        t_active = null;
    }

    /// <summary>
    /// A scope timing <paramref name="phase"/>; <paramref name="items"/> batch items are processed in it (summed per
    /// phase, for FLOP counts). A no-op when nothing records.
    /// </summary>
    public static Scope Measure(string phase, long items = 0) => t_active is { } recording ? new Scope(recording, phase, items) : default;

    /// <summary>A running phase; disposing it books its time.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly Recording? _recording;
        private readonly string? _phase;
        private readonly long _items;
        private readonly long _start;

        internal Scope(Recording recording, string phase, long items)
        {
            _recording = recording;
            _phase = phase;
            _items = items;
            _start = Stopwatch.GetTimestamp();
            recording.Enter(phase);
        }

        /// <summary>Books the scope's exclusive time to its phase.</summary>
        public void Dispose() => _recording?.Leave(_phase!, _items, Stopwatch.GetTimestamp() - _start);
    }

    /// <summary>The totals of one recording: per phase, exclusive milliseconds, calls and items.</summary>
    public sealed class Recording
    {
        private readonly Dictionary<string, PhaseTotal> _totals = new();
        private readonly Dictionary<string, long> _workingSetPeaks = new();
        private readonly Stack<long> _nestedTicks = new();
        private readonly Stack<string> _phases = new();
        private readonly Timer? _sampler;
        private volatile string? _current;

        internal Recording(bool trackMemory)
        {
            if (trackMemory) _sampler = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(1));
        }

        /// <summary>
        /// Per phase, the largest working set (bytes) sampled while it was the innermost phase running; empty unless
        /// the recording tracks memory. Read it after <see cref="Stop"/>.
        /// </summary>
        public IReadOnlyDictionary<string, long> WorkingSetPeaks => _workingSetPeaks;

        /// <summary>The phases in the order they first ran.</summary>
        public IReadOnlyDictionary<string, PhaseTotal> Totals => _totals;

        internal void Enter(string phase)
        {
            _nestedTicks.Push(0);
            _phases.Push(phase);
            _current = phase;
        }

        internal void StopSampling() => _sampler?.Dispose();

        private void Sample()
        {
            string phase = _current ?? Outside;
            long workingSet = Environment.WorkingSet;
            lock (_workingSetPeaks)
                _workingSetPeaks[phase] = Math.Max(_workingSetPeaks.GetValueOrDefault(phase), workingSet);
        }

        internal void Leave(string phase, long items, long elapsedTicks)
        {
            if (_sampler is not null) Sample();
            _phases.Pop();
            _current = _phases.TryPeek(out var outer) ? outer : null;
            long nested = _nestedTicks.Pop();
            if (_nestedTicks.Count > 0) _nestedTicks.Push(_nestedTicks.Pop() + elapsedTicks);
            _totals.TryGetValue(phase, out var total);
            _totals[phase] = new PhaseTotal(
                total.Milliseconds + (elapsedTicks - nested) * 1000.0 / Stopwatch.Frequency, total.Calls + 1, total.Items + items);
        }
    }

    /// <summary>Exclusive time, number of scopes and items processed of one phase.</summary>
    public readonly record struct PhaseTotal(double Milliseconds, int Calls, long Items);
}
