// SteadyStateAllocations: asserts that a step allocates nothing on the calling thread once warm.
// One-time effects (a static first touched when the shared ParallelLoop pool was busy during the
// warm-up, so the loop ran inline or a GEMM ran unsplit; the runtime's tiered recompilation) may
// land in any round while other test classes run beside this one, so the step passes when one of
// eight rounds allocates exactly zero; a real per-step allocation shows in every round (the failure
// message lists each round's bytes).
namespace TaskVectors.Tests.Layers;

public static class SteadyStateAllocations
{
    /// <summary>Runs <paramref name="step"/> once to warm up, then checks that some round of <paramref name="steps"/> steps allocates 0 bytes.</summary>
    public static void AssertNone(Action step, int steps = 5, int rounds = 8)
    {
        step();
        long least = long.MaxValue;
        var bytes = new List<long>();
        for (int r = 0; r < rounds && least != 0; r++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < steps; i++) step();
            bytes.Add(GC.GetAllocatedBytesForCurrentThread() - before);
            least = Math.Min(least, bytes[^1]);
        }
        least.ShouldBe(0, $"bytes allocated by the least-allocating round of steady-state steps (rounds: {string.Join(", ", bytes)})");
    }
}
