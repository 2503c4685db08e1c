// Tests of Tensor: shape bookkeeping, row-major indexing, copy-free views and their errors.
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Tensors;

public class TensorTests
{
    [Fact]
    public void Constructor_Shape_ZeroFilledRowMajor()
    {
        var t = new Tensor(2, 3, 4);
        t.Length.ShouldBe(24);
        t.Rank.ShouldBe(3);
        t.Dim(-1).ShouldBe(4);
        t.Span.ToArray().ShouldAllBe(v => v == 0f);
        t[1, 2, 3] = 5f;
        t[23].ShouldBe(5f);
    }

    [Fact]
    public void Constructor_WrongArrayLength_Throws()
    {
        Should.Throw<ArgumentException>(() => new Tensor(new float[5], 2, 3)).Message.ShouldContain("[2, 3]");
    }

    [Fact]
    public void Reshape_InferredDimension_SharesStorage()
    {
        var t = new Tensor(Enumerable.Range(0, 12).Select(i => (float)i).ToArray(), 3, 4);
        var v = t.Reshape(2, -1);
        v.Shape.ToArray().ShouldBe([2, 6]);
        v[1, 0] = 100f;
        t[1, 2].ShouldBe(100f);
    }

    [Theory]
    [InlineData(new[] { 5, 3 })]
    [InlineData(new[] { -1, -1 })]
    [InlineData(new[] { 5, -1 })]
    public void Reshape_Incompatible_Throws(int[] shape)
    {
        var t = new Tensor(3, 4);
        Should.Throw<ArgumentException>(() => t.Reshape(shape));
    }

    [Fact]
    public void Rows_View_OffsetsIntoStorage()
    {
        var t = new Tensor(Enumerable.Range(0, 12).Select(i => (float)i).ToArray(), 4, 3);
        var r = t.Rows(1, 2);
        r.Shape.ToArray().ShouldBe([2, 3]);
        r[0, 0].ShouldBe(3f);
        r[1, 2].ShouldBe(8f);
        r.Fill(-1f);
        t[0, 2].ShouldBe(2f);
        t[3, 0].ShouldBe(9f);
        Should.Throw<ArgumentOutOfRangeException>(() => t.Rows(3, 2));
    }

    [Fact]
    public void Indexer_OutOfRange_Throws()
    {
        var t = new Tensor(2, 3);
        Should.Throw<IndexOutOfRangeException>(() => t[2, 0]).Message.ShouldContain("[2, 3]");
        Should.Throw<IndexOutOfRangeException>(() => t[6]);
    }

    [Fact]
    public void Clone_IsIndependent()
    {
        var t = new Tensor(new float[] { 1, 2, 3 }, 3);
        var c = t.Clone();
        c[0] = 9;
        t[0].ShouldBe(1f);
    }
}
