using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace NoisyRnn;

/// <summary>
/// The library's thread pool: persistent helper threads for the matrix products (<see cref="IPoolJob"/>, implemented
/// by <c>Kernels.Gemm</c>) and for every loop split into parts
/// (<see cref="IParallelParts"/>: the batch recurrences, the loss, the noise, the finiteness checks). A product split over T threads runs on the caller and on up to
/// T - 1 helpers that spin briefly after each product (the next time step's product usually follows within
/// microseconds) and then block on an event, so per-step products pay neither thread-pool scheduling nor, usually, a
/// wake-up. Helpers join an open product and claim pieces of it; the caller claims too and closes the product when
/// everything is done, so a helper that is descheduled (a busy machine) delays nothing it has not started.
/// Products in lock step (B in several slabs) instead wait for every helper. One product at a time uses the helpers;
/// a caller that finds them busy (another thread's product) runs alone, which gives the same bits.
/// </summary>
internal static unsafe class WorkerPool
{
    /// <summary>Upper bound on the threads any parallel work of the library uses (tests set 1 to compare with the
    /// parallel result).</summary>
    internal static int MaxThreads { get; set; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>How long an idle helper spins before it blocks.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 2000; // 0.5 ms

    private const int Closed = int.MinValue;

    private static readonly object s_createLock = new();
    private static Helper[] s_helpers = Array.Empty<Helper>();
    private static int s_busy;
    /// <summary>Runs the posted product on a helper: (thread index, threads); set by <see cref="TryRun{TJob}"/>.</summary>
    private static delegate*<int, int, void> s_runJob;
    private static IParallelParts? s_parts;
    private static int s_threads;
    private static bool s_lockStep;
    private static readonly SpinBarrier s_barrier = new();
    private static readonly SharedState s_state = new();

    /// <summary>Claim counters of the product in flight (reset before each product is posted).</summary>
    internal sealed class SharedState
    {
        public int PackCursor;
        public int PackDone;
        public int TileCursor;
        public int TilesDone;

        /// <summary>Helpers that joined (low bits), or'ed with <see cref="Closed"/> once no more may join; closed between products.</summary>
        public int Joined = Closed;

        /// <summary>Helpers that joined and have finished.</summary>
        public int Left;

        public Exception? Error;
    }

    /// <summary>Runs <paramref name="job"/> split over <paramref name="threads"/> threads; false (nothing done) when the
    /// helpers are busy with another caller's product.</summary>
    public static bool TryRun<TJob>(in TJob job, int threads)
        where TJob : struct, IPoolJob
    {
        if (Interlocked.CompareExchange(ref s_busy, 1, 0) != 0) return false;
        try
        {
            JobSlot<TJob>.Job = job;
            s_runJob = &JobSlot<TJob>.Run;
            SharedState st = Open(null, threads, job.NeedsLockStep);

            var spin = new SpinWait();
            if (s_lockStep)
            {
                // Every thread owns a fixed share and they meet at barriers: wait for all helpers to join, then to leave.
                try
                {
                    job.Execute(0, threads, s_barrier);
                }
                catch (Exception e)
                {
                    st.Error ??= e;
                }
                while (Volatile.Read(ref st.Joined) < threads - 1) spin.SpinOnce(sleep1Threshold: -1);
                int joined = Interlocked.Or(ref st.Joined, Closed) & ~Closed;
                while (Volatile.Read(ref st.Left) < joined) spin.SpinOnce(sleep1Threshold: -1);
            }
            else
            {
                try
                {
                    job.ExecuteShared(st, threads);
                }
                catch (Exception e)
                {
                    st.Error ??= e;
                }
                // All tiles are claimed; wait for the pieces still being computed, then let no more helpers in.
                while (st.Error is null && Volatile.Read(ref st.TilesDone) < job.Units) spin.SpinOnce(sleep1Threshold: -1);
                int joined = Interlocked.Or(ref st.Joined, Closed) & ~Closed;
                while (Volatile.Read(ref st.Left) < joined) spin.SpinOnce(sleep1Threshold: -1);
            }
            // The failure itself, with its own stack, so that callers see the same exception for any thread count.
            if (st.Error is not null) ExceptionDispatchInfo.Throw(st.Error);
            return true;
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
    }

    /// <summary>
    /// Runs every part of <paramref name="work"/> exactly once, on up to <paramref name="threads"/> threads that claim
    /// parts in turn (a late or descheduled helper leaves its part to the others); returns when all are done. False
    /// (nothing done) when the helpers are busy with another caller's work. Products inside a part must use one thread.
    /// </summary>
    public static bool TryRunParts(IParallelParts work, int threads)
    {
        if (Interlocked.CompareExchange(ref s_busy, 1, 0) != 0) return false;
        try
        {
            SharedState st = Open(work, threads, lockStep: false);
            try
            {
                RunParts(work, st);
            }
            catch (Exception e)
            {
                st.Error ??= e;
            }
            var spin = new SpinWait();
            while (st.Error is null && Volatile.Read(ref st.TilesDone) < work.Parts) spin.SpinOnce(sleep1Threshold: -1);
            int joined = Interlocked.Or(ref st.Joined, Closed) & ~Closed;
            while (Volatile.Read(ref st.Left) < joined) spin.SpinOnce(sleep1Threshold: -1);
            s_parts = null;
            if (st.Error is not null) ExceptionDispatchInfo.Throw(st.Error);
            return true;
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
    }

    /// <summary>
    /// Resets the claim counters, publishes the work (a product in its <c>JobSlot</c>, set by the caller, when
    /// <paramref name="parts"/> is null), opens it and wakes the helpers. The caller holds <see cref="s_busy"/>.
    /// </summary>
    private static SharedState Open(IParallelParts? parts, int threads, bool lockStep)
    {
        Helper[] helpers = EnsureHelpers(threads - 1);
        SharedState st = s_state;
        // st.Joined is Closed between jobs, so no late helper touches any of this while it is reset.
        st.PackCursor = 0;
        st.PackDone = 0;
        st.TileCursor = 0;
        st.TilesDone = 0;
        st.Left = 0;
        st.Error = null;
        s_parts = parts;
        s_threads = threads;
        s_lockStep = lockStep;
        s_barrier.Reset(threads);
        Volatile.Write(ref st.Joined, 0); // open: everything above is visible to a helper that sees it open
        for (int i = 0; i < threads - 1; i++) helpers[i].Post(); // each Post is a full fence after the writes above
        return st;
    }

    /// <summary>Claims and runs parts until none is left.</summary>
    private static void RunParts(IParallelParts work, SharedState st)
    {
        int part;
        while ((part = Interlocked.Increment(ref st.TileCursor) - 1) < work.Parts)
        {
            work.Run(part);
            Interlocked.Increment(ref st.TilesDone);
        }
    }

    /// <summary>Called by a helper that was posted: joins the open product (if any room is left) and works on it.</summary>
    private static void Participate()
    {
        SharedState st = s_state;
        int joined;
        while (true)
        {
            joined = Volatile.Read(ref st.Joined);
            if (joined < 0 || joined >= s_threads - 1) return; // closed, or enough helpers
            if (Interlocked.CompareExchange(ref st.Joined, joined + 1, joined) == joined) break;
        }
        try
        {
            // Read the product only now: it cannot change until this helper has left.
            int threads = s_threads;
            if (joined + 1 < threads)
            {
                if (s_parts is { } parts) RunParts(parts, st);
                else s_runJob(joined + 1, threads);
            }
        }
        catch (Exception e)
        {
            st.Error ??= e;
        }
        finally
        {
            Interlocked.Increment(ref st.Left);
        }
    }

    /// <summary>The product in flight, of one job type (a static field per type: no boxing).</summary>
    private static class JobSlot<TJob>
        where TJob : struct, IPoolJob
    {
        public static TJob Job;

        /// <summary>A helper's share: its static share in lock step, else claimed pieces.</summary>
        public static void Run(int thread, int threads)
        {
            if (s_lockStep) Job.Execute(thread, threads, s_barrier);
            else Job.ExecuteShared(s_state, threads);
        }
    }

    /// <summary>
    /// A product the pool's threads share (<see cref="TryRun{TJob}"/>): either in lock step, every thread its static share
    /// and a barrier per slab, or by claiming pieces from the shared counters.
    /// </summary>
    internal interface IPoolJob
    {
        /// <summary>True when every thread must take part (they meet at barriers); false when threads claim pieces.</summary>
        bool NeedsLockStep { get; }

        /// <summary>Pieces (shares of rows) of the product; the caller waits until the counters say all are done.</summary>
        int Units { get; }

        /// <summary>The share of thread <paramref name="thread"/> of <paramref name="threads"/> in lock step.</summary>
        void Execute(int thread, int threads, SpinBarrier? barrier);

        /// <summary>Claims and computes pieces through <paramref name="state"/> until none are left.</summary>
        void ExecuteShared(SharedState state, int threads);
    }

    /// <summary>
    /// Work made of independent parts (<see cref="TryRunParts"/>), e.g. a recurrence over disjoint rows of a batch
    /// for all its time steps: no part reads what another writes, so any thread may run any part, in any order.
    /// </summary>
    internal interface IParallelParts
    {
        /// <summary>Number of parts; &gt;= 0.</summary>
        int Parts { get; }

        /// <summary>Runs part <paramref name="part"/> (0 &lt;= part &lt; <see cref="Parts"/>).</summary>
        void Run(int part);
    }

    /// <summary>Part <paramref name="part"/> of <paramref name="parts"/> near-equal contiguous pieces of [0, <paramref name="count"/>).</summary>
    public static (int Start, int End) PartRange(int count, int part, int parts) =>
        ((int)((long)count * part / parts), (int)((long)count * (part + 1) / parts));

    /// <summary>Runs all parts of <paramref name="work"/> on up to <paramref name="threads"/> threads, or on the calling
    /// thread alone when <paramref name="threads"/> is 1 or the helpers are busy; the parts are the same either way.</summary>
    public static void RunParts(IParallelParts work, int threads)
    {
        if (threads > 1 && work.Parts > 1 && TryRunParts(work, Math.Min(threads, work.Parts))) return;
        for (int part = 0; part < work.Parts; part++) work.Run(part);
    }

    /// <summary>Work on the range [start, end) of an index set (<see cref="ForRanges"/>).</summary>
    internal delegate void RangeBody(int start, int end);

    /// <summary>
    /// Runs <paramref name="body"/> on near-equal contiguous ranges of [0, <paramref name="count"/>) (<see cref="PartRange"/>),
    /// one per thread, on up to <paramref name="threads"/> threads; on the calling thread alone when
    /// <paramref name="threads"/> is 1. For row-wise work whose rows do not interact, so that the split changes no result.
    /// </summary>
    internal static void ForRanges(int count, int threads, RangeBody body)
    {
        int parts = Math.Max(1, Math.Min(threads, count));
        if (parts == 1)
        {
            body(0, count);
            return;
        }
        var work = t_ranges ??= new RangeParts();
        work.Set(count, parts, body);
        try
        {
            RunParts(work, parts);
        }
        finally
        {
            work.Set(0, 0, null);
        }
    }

    [ThreadStatic] private static RangeParts? t_ranges;

    private sealed class RangeParts : IParallelParts
    {
        private RangeBody? _body;
        private int _count;

        public int Parts { get; private set; }

        public void Set(int count, int parts, RangeBody? body)
        {
            _count = count;
            Parts = parts;
            _body = body;
        }

        public void Run(int part)
        {
            (int start, int end) = PartRange(_count, part, Parts);
            if (end > start) _body!(start, end);
        }
    }

    private static Helper[] EnsureHelpers(int count)
    {
        Helper[] helpers = s_helpers;
        if (helpers.Length >= count) return helpers;
        lock (s_createLock)
        {
            helpers = s_helpers;
            if (helpers.Length >= count) return helpers;
            var grown = new Helper[count];
            helpers.CopyTo(grown, 0);
            for (int i = helpers.Length; i < count; i++) grown[i] = new Helper(i + 1);
            s_helpers = grown;
            return grown;
        }
    }

    /// <summary>A reusable barrier for the threads of one product; spins, yielding now and then.</summary>
    internal sealed class SpinBarrier
    {
        private int _participants;
        private int _arrived;
        private int _phase;

        public void Reset(int participants)
        {
            _participants = participants;
            _arrived = 0;
        }

        public void SignalAndWait()
        {
            int phase = Volatile.Read(ref _phase);
            if (Interlocked.Increment(ref _arrived) == _participants)
            {
                _arrived = 0;
                Volatile.Write(ref _phase, phase + 1);
                return;
            }
            var spin = new SpinWait();
            while (Volatile.Read(ref _phase) == phase) spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    private sealed class Helper
    {
        private readonly ManualResetEventSlim _wake = new(false, 0);
        private int _posted;
        private int _sleeping;

        public Helper(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"NoisyRnn GEMM helper {index}" };
            thread.Start();
        }

        public void Post()
        {
            Interlocked.Increment(ref _posted); // full fence: the product is visible, and _sleeping is read after the post
            if (Volatile.Read(ref _sleeping) != 0) _wake.Set();
        }

        private void Loop()
        {
            int seen = 0;
            while (true)
            {
                long start = Stopwatch.GetTimestamp();
                var spin = new SpinWait();
                while (Volatile.Read(ref _posted) == seen)
                {
                    if (Stopwatch.GetTimestamp() - start < SpinTicks)
                    {
                        // Spins, then yields between checks: on a machine where this helper shares a core with the caller
                        // (other processes take the second one) the caller's own work runs instead of waiting out the spin.
                        spin.SpinOnce(sleep1Threshold: -1);
                        continue;
                    }
                    _wake.Reset();
                    Interlocked.Exchange(ref _sleeping, 1); // full fence before re-reading _posted
                    if (Volatile.Read(ref _posted) == seen) _wake.Wait();
                    Volatile.Write(ref _sleeping, 0);
                    start = Stopwatch.GetTimestamp();
                }
                seen = Volatile.Read(ref _posted);
                Participate();
            }
        }
    }
}
