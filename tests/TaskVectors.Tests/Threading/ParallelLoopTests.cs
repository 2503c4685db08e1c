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
}
