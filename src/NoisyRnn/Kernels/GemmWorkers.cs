using System.Diagnostics;

namespace NoisyRnn.Kernels;

/// <summary>
/// Persistent helper threads for <see cref="Gemm"/>: a product split over T threads runs part 0 on the caller and parts
/// 1..T-1 on helpers that spin briefly after each job (the next time step's product usually follows within
/// microseconds) and then block on an event, so per-step products pay neither thread-pool scheduling nor a wake-up.
/// One product at a time uses the helpers; a caller that finds them busy (another thread's product) runs alone,
/// which gives the same bits.
/// </summary>
internal static class GemmWorkers
{
    /// <summary>How long an idle helper spins before it blocks.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 2000; // 0.5 ms

    private static readonly object s_createLock = new();
    private static Helper[] s_helpers = Array.Empty<Helper>();
    private static int s_busy;
    private static Gemm.Operands s_job;
    private static int s_threads;
    private static readonly SpinBarrier s_barrier = new();

    /// <summary>Runs <paramref name="job"/> split over <paramref name="threads"/> threads; false (nothing done) when the
    /// helpers are busy with another caller's product.</summary>
    public static bool TryRun(in Gemm.Operands job, int threads)
    {
        if (Interlocked.CompareExchange(ref s_busy, 1, 0) != 0) return false;
        try
        {
            Helper[] helpers = EnsureHelpers(threads - 1);
            s_job = job;
            s_threads = threads;
            s_barrier.Reset(threads);
            for (int i = 0; i < threads - 1; i++) helpers[i].Post();
            Exception? error = null;
            try
            {
                job.Execute(0, threads, s_barrier);
            }
            catch (Exception e)
            {
                error = e;
            }
            for (int i = 0; i < threads - 1; i++) error ??= helpers[i].WaitDone();
            if (error is not null) throw new InvalidOperationException("A GEMM worker failed.", error);
            return true;
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
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
        private readonly int _index;
        private readonly ManualResetEventSlim _wake = new(false, 0);
        private int _posted;
        private int _done;
        private int _sleeping;
        private Exception? _error;

        public Helper(int index)
        {
            _index = index;
            var thread = new Thread(Loop) { IsBackground = true, Name = $"NoisyRnn GEMM helper {index}" };
            thread.Start();
        }

        public void Post()
        {
            _error = null;
            Interlocked.Increment(ref _posted); // full fence: the job is visible, and _sleeping is read after the post
            if (Volatile.Read(ref _sleeping) != 0) _wake.Set();
        }

        public Exception? WaitDone()
        {
            int target = Volatile.Read(ref _posted);
            var spin = new SpinWait();
            while (Volatile.Read(ref _done) != target) spin.SpinOnce(sleep1Threshold: -1);
            return _error;
        }

        private void Loop()
        {
            int seen = 0;
            while (true)
            {
                long start = Stopwatch.GetTimestamp();
                while (Volatile.Read(ref _posted) == seen)
                {
                    if (Stopwatch.GetTimestamp() - start < SpinTicks)
                    {
                        Thread.SpinWait(16);
                        continue;
                    }
                    _wake.Reset();
                    Interlocked.Exchange(ref _sleeping, 1); // full fence before re-reading _posted
                    if (Volatile.Read(ref _posted) == seen) _wake.Wait();
                    Volatile.Write(ref _sleeping, 0);
                    start = Stopwatch.GetTimestamp();
                }
                seen = Volatile.Read(ref _posted);
                try
                {
                    s_job.Execute(_index, s_threads, s_barrier);
                }
                catch (Exception e)
                {
                    _error = e;
                }
                Volatile.Write(ref _done, seen);
            }
        }
    }
}
