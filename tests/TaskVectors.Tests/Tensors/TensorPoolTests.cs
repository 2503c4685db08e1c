// Tests of TensorPool: reuse by exact shape, so that a repeated step allocates nothing.
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Tensors;

public class TensorPoolTests
{
    [Fact]
    public void Rent_AfterReturnOfSameShape_ReusesTensor()
    {
        var pool = new TensorPool();
        var a = pool.Rent(4, 5);
        pool.Return(a);
        pool.Rent(4, 5).ShouldBeSameAs(a);
        pool.Allocations.ShouldBe(1);
        pool.Rent(5, 4).ShouldNotBeSameAs(a);
        pool.Allocations.ShouldBe(2);
        pool.Outstanding.ShouldBe(2);
    }

    [Fact]
    public void RentZeroed_ReturnsCleared()
    {
        var pool = new TensorPool();
        var a = pool.Rent(3);
        a.Fill(7f);
        pool.Return(a);
        pool.RentZeroed(3).Span.ToArray().ShouldBe([0f, 0f, 0f]);
    }

    [Fact]
    public void RentReturn_SteadyState_AllocatesNoManagedMemory()
    {
        var pool = new TensorPool();
        void Step()
        {
            var x = pool.Rent(64, 192);
            var y = pool.Rent(64, 3, 197, 64);
            pool.Return(y);
            pool.Return(x);
        }
        for (int i = 0; i < 1000; i++) Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) Step();
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);
    }
}
