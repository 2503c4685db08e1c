// ParallelLoop: a fixed set of worker threads that run `for (i = 0; i < count; i++) body.Invoke(i)`
// together with the calling thread. Unlike Parallel.For it allocates nothing per call (the body is a
// struct copied into a per-type job object), so steady-state training steps stay allocation-free.
// Results never depend on the thread count as long as iterations write disjoint outputs. Between loops
// the workers spin for a short while before they block: the loops of one step come tens to hundreds of
// microseconds apart, and a blocked thread can take 50 µs to 1 ms to wake on a virtual machine.
using System.Diagnostics;

namespace TaskVectors.Threading;

/// <summary>
/// Allocation-free parallel for-loop over a persistent worker pool. One loop runs at a time;
/// a loop started while another runs (nested, or from another thread) runs inline on its caller.
/// </summary>
internal static class ParallelLoop
{
    /// <summary>Environment variable that sets the number of threads (caller included).</summary>
    public const string ThreadsVariable = "TASKVECTORS_THREADS";

    private static readonly Lazy<Pool> Shared = new(() => new Pool(ResolveThreads()));
    private static int _active;

    /// <summary>How long an idle worker (or a caller waiting for the workers) spins before it blocks.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 500; // 2 ms

    /// <summary>Threads a loop runs on, the caller included (at least 1).</summary>
    public static int Threads => Math.Min(Shared.Value.Threads, ThreadLimit);

    /// <summary>
    /// Whether a loop is running now (on any thread): a loop started now would run inline on its caller, so code
    /// that would split its work for a loop (a GEMM provider) can run it whole instead.
    /// </summary>
    public static bool Busy => Volatile.Read(ref _active) != 0;

    /// <summary>
    /// Caps the threads loops use from now on (tests use it to show results do not depend on the thread count);
    /// <see cref="int.MaxValue"/> means no cap.
    /// </summary>
    internal static int ThreadLimit { get; set; } = int.MaxValue;

    /// <summary>Runs body.Invoke(i) for 0 ≤ i &lt; <paramref name="count"/>, in parallel when it pays.</summary>
    public static void For<TBody>(int count, TBody body) where TBody : struct, ILoopBody
    {
        if (count <= 0) return;
        var pool = Shared.Value;
        // Read before any inline run: the job object is created on the first read, and that must not wait for the
        // first parallel run, which may come in a later, steady-state step (callers with work too small to split,
        // such as a GEMM while the pool is busy, still call For with one iteration so their first call creates it).
        var job = Job<TBody>.Instance;
        if (count == 1 || Threads == 1 || Interlocked.CompareExchange(ref _active, 1, 0) != 0)
        {
            for (int i = 0; i < count; i++) body.Invoke(i);
            return;
        }
        try
        {
            job.Body = body;
            pool.Run(job, count);
            job.Body = default;
        }
        finally
        {
            Volatile.Write(ref _active, 0);
        }
    }

    private static int ResolveThreads()
    {
        string? text = Environment.GetEnvironmentVariable(ThreadsVariable);
        if (string.IsNullOrWhiteSpace(text)) return Environment.ProcessorCount;
        if (!int.TryParse(text, out int n) || n < 1)
            throw new InvalidOperationException($"{ThreadsVariable}='{text}' is not a positive integer.");
        return n;
    }

    private abstract class JobBase
    {
        public abstract void Invoke(int index);
    }

    private sealed class Job<TBody> : JobBase where TBody : struct, ILoopBody
    {
        public static readonly Job<TBody> Instance = new();
        public TBody Body;

        public override void Invoke(int index) => Body.Invoke(index);
    }

    private sealed class Pool
    {
        private readonly SemaphoreSlim _start = new(0);
        private readonly ManualResetEventSlim _done = new(false);
        private JobBase? _job;
        private int _next, _count, _pending;
        private Exception? _error;

        public Pool(int threads)
        {
            Threads = threads;
            // The first release, the first timed-out wait and the first blocking wait of these primitives allocate
            // (their lock object and runtime state, once per process): do it here, not in some later loop.
            _start.Release();
            _start.Wait(0);
            _done.Wait(1);
            for (int t = 1; t < threads; t++)
            {
                var thread = new Thread(WorkerLoop) { IsBackground = true, Name = $"TaskVectors worker {t}" };
                thread.Start();
            }
        }

        public int Threads { get; }

        public void Run(JobBase job, int count)
        {
            _job = job;
            _count = count;
            _next = -1;
            _error = null;
            int helpers = Math.Min(Math.Min(Threads, ThreadLimit) - 1, count - 1);
            _pending = helpers + 1;
            _done.Reset();
            _start.Release(helpers);
            Work();
            // Every index is taken. A helper that has not picked up its start signal yet would find nothing to do:
            // take its signal back rather than wait for it (a descheduled worker can need a scheduler tick, ~4 ms, to
            // run again). Outstanding signals always belong to this loop: earlier loops ended only once all of theirs
            // were taken.
            while (_start.CurrentCount > 0 && _start.Wait(0))
                if (Interlocked.Decrement(ref _pending) == 0) _done.Set();
            // Spin on the done event itself, not on _pending: the last worker sets it after its decrement, and the next
            // loop's Reset must come after that Set.
            if (!SpinUntilSet(_done)) _done.Wait();
            _job = null;
            // Rethrow the iteration's own exception (not wrapped), so callers see the same exception whether
            // the loop ran in parallel or inline.
            if (_error is { } e) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e);
        }

        private void WorkerLoop()
        {
            while (true)
            {
                // A start signal is a semaphore count; poll it (without taking its lock) before blocking on it.
                long deadline = Stopwatch.GetTimestamp() + SpinTicks;
                bool started = false;
                while (!started && Stopwatch.GetTimestamp() < deadline)
                {
                    started = _start.CurrentCount > 0 && _start.Wait(0);
                    if (!started) Thread.SpinWait(20);
                }
                if (!started) _start.Wait();
                Work();
            }
        }

        // Spins until the event is set or the spin time is up; true when it was set.
        private static bool SpinUntilSet(ManualResetEventSlim done)
        {
            long deadline = Stopwatch.GetTimestamp() + SpinTicks;
            while (!done.IsSet)
            {
                if (Stopwatch.GetTimestamp() >= deadline) return false;
                Thread.SpinWait(20);
            }
            return true;
        }

        private void Work()
        {
            var job = _job!;
            try
            {
                int i;
                while ((i = Interlocked.Increment(ref _next)) < _count) job.Invoke(i);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _error, e, null);
                Volatile.Write(ref _next, _count);
            }
            if (Interlocked.Decrement(ref _pending) == 0) _done.Set();
        }
    }
}
