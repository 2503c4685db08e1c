// Tests of PoolingKernels: the masked mean against its double twin, the all-masked clamp, and the
// CLS gather/scatter pair.
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Layers.Kernels;

public class PoolingKernelsTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MeanForward_MatchesReferenceTwin(bool masked)
    {
        const int batch = 3, tokens = 5, cols = 11;
        var x = new float[batch * tokens * cols];
        new Rng(1).FillNormal(x);
        float[] mask = masked ? [1, 1, 1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0] : [];
        var w = new float[batch];
        var y = new float[batch * cols];
        var r = new float[batch * cols];
        PoolingKernels.MeanWeights(mask, w, batch, tokens);
        PoolingKernels.MeanForward(x, mask, w, y, batch, tokens, cols);
        PoolingKernels.MeanForwardReference(x, mask, r, batch, tokens, cols);
        for (int i = 0; i < y.Length; i++) y[i].ShouldBe(r[i], 1e-6);
        if (masked) y.AsSpan(2 * cols, cols).ToArray().ShouldAllBe(v => v == 0f);
    }

    [Fact]
    public void MeanForward_MaskedTokensHoldingNaN_DoNotLeak()
    {
        float[] x = [1, 2, float.NaN, float.NaN];
        var w = new float[1];
        var y = new float[2];
        PoolingKernels.MeanWeights([1, 0], w, 1, 2);
        PoolingKernels.MeanForward(x, [1, 0], w, y, 1, 2, 2);
        y.ShouldBe([1f, 2f]);
    }

    [Fact]
    public void ClsForwardAndBackward_GatherAndScatterTokenZero()
    {
        float[] x = [1, 2, 3, 4, 5, 6, 7, 8];
        var y = new float[4];
        PoolingKernels.ClsForward(x, y, 2, 2, 2);
        y.ShouldBe([1f, 2f, 5f, 6f]);
        var gx = Enumerable.Repeat(9f, 8).ToArray();
        PoolingKernels.ClsBackward([1, 2, 3, 4], gx, 2, 2, 2);
        gx.ShouldBe([1f, 2f, 0f, 0f, 3f, 4f, 0f, 0f]);
    }
}
