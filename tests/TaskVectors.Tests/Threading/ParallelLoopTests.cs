// Tests of ParallelLoop: every index runs exactly once, failures surface, nesting runs inline,
// and a steady-state loop allocates nothing.
using TaskVectors.Threading;

namespace TaskVectors.Tests.Threading;

public class ParallelLoopTests
{
    private struct CountBody(int[] hits) : ILoopBody
    {
        public void Invoke(int index) => Interlocked.Increment(ref hits[index]);
    }

    private struct NestedBody(int[] hits) : ILoopBody
    {
        public void Invoke(int index) => ParallelLoop.For(4, new CountBody(hits));
    }

    private struct ThrowBody : ILoopBody
    {
        public void Invoke(int index)
        {
            if (index == 13) throw new InvalidOperationException("iteration 13");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(1000)]
    public void For_EveryIndexRunsExactlyOnce(int count)
    {
        var hits = new int[count];
        ParallelLoop.For(count, new CountBody(hits));
        hits.ShouldAllBe(h => h == 1);
    }

    private struct TimedBody(int[] hits, double microseconds) : ILoopBody
    {
        public void Invoke(int index)
        {
            long end = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(microseconds * System.Diagnostics.Stopwatch.Frequency / 1e6);
            while (System.Diagnostics.Stopwatch.GetTimestamp() < end) { }
            Interlocked.Increment(ref hits[index]);
        }
    }

    [Fact]
    public void For_LoopsOfMixedLengthsAndPauses_EveryIndexRunsExactlyOnce()
    {
        // Workers that are spinning, blocked, or just back from a long loop must all pick up the next loop's
        // start and report its end exactly once (a late "done" from one loop must not end the next early).
        var rng = new Random(4);
        for (int loop = 0; loop < 200; loop++)
        {
            var hits = new int[1 + rng.Next(6)];
            double length = rng.Next(4) switch { 0 => 0, 1 => 30, 2 => 400, _ => 2500 };
            ParallelLoop.For(hits.Length, new TimedBody(hits, length));
            hits.ShouldAllBe(h => h == 1, $"loop {loop}");
            if (rng.Next(8) == 0) Thread.Sleep(3); // long enough for the workers to block
        }
    }

    [Fact]
    public void For_Nested_RunsInlineAndCompletes()
    {
        var hits = new int[4];
        ParallelLoop.For(8, new NestedBody(hits));
        hits.ShouldAllBe(h => h == 8);
    }

    [Fact]
    public void For_IterationThrows_SurfacesException_AndPoolStaysUsable()
    {
        Should.Throw<InvalidOperationException>(() => ParallelLoop.For(100, new ThrowBody())).Message.ShouldBe("iteration 13");
        var hits = new int[50];
        ParallelLoop.For(50, new CountBody(hits));
        hits.ShouldAllBe(h => h == 1);
    }

    [Fact]
    public void For_SteadyState_AllocatesNothing()
    {
        var hits = new int[64];
        for (int i = 0; i < 100; i++) ParallelLoop.For(64, new CountBody(hits));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) ParallelLoop.For(64, new CountBody(hits));
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);
    }

    // Used by one test only, so its first parallel loop is that test's.
    private struct FirstUseBody(int[] hits) : ILoopBody
    {
        public void Invoke(int index) => Interlocked.Increment(ref hits[index]);
    }

    [Fact]
    public void For_FirstParallelRunAfterInlineRuns_AllocatesNothing()
    {
        // A loop that first ran inline (one iteration here; a busy pool in a training step) must not allocate when it
        // later runs in parallel for the first time: that later step is a steady-state one.
        var hits = new int[64];
        ParallelLoop.For(1, new FirstUseBody(hits));
        long before = GC.GetAllocatedBytesForCurrentThread();
        ParallelLoop.For(64, new FirstUseBody(hits));
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);
        hits.Sum().ShouldBe(65);
    }

    private struct WorkersSleepBody(int[] hits, int caller) : ILoopBody
    {
        public void Invoke(int index)
        {
            if (Environment.CurrentManagedThreadId != caller) Thread.Sleep(10);
            Interlocked.Increment(ref hits[index]);
        }
    }

    [Fact]
    public void For_CallerBlocksForSlowIterations_AllocatesNothing()
    {
        // Workers' iterations outlast the caller's spin, so it blocks on the done event; the first such wait must not allocate.
        var hits = new int[8];
        var body = new WorkersSleepBody(hits, Environment.CurrentManagedThreadId);
        ParallelLoop.For(1, body); // creates the pool (and the body's job) outside the measurement
        hits[0] = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        ParallelLoop.For(hits.Length, body);
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);
        hits.ShouldAllBe(h => h == 1);
    }
}
