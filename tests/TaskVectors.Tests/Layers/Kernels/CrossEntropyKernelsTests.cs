// Tests of CrossEntropyKernels: forward against its double twin with and without label smoothing,
// stability at huge logits, and the backward as softmax minus target.
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Layers.Kernels;

public class CrossEntropyKernelsTests
{
    [Theory]
    [InlineData(0f)]
    [InlineData(0.1f)]
    [InlineData(1f)]
    public void Forward_MatchesReferenceTwin(float smoothing)
    {
        const int rows = 6, classes = 13;
        var z = new float[rows * classes];
        new Rng(1).FillNormal(z, 0f, 3f);
        int[] labels = [0, 12, 5, 5, 3, 7];
        var (p, pr) = (new float[z.Length], new float[z.Length]);
        double loss = CrossEntropyKernels.Forward(z, labels, p, rows, classes, smoothing);
        double reference = CrossEntropyKernels.ForwardReference(z, labels, pr, rows, classes, smoothing);
        loss.ShouldBe(reference, 1e-5 * reference);
        for (int i = 0; i < p.Length; i++) p[i].ShouldBe(pr[i], 1e-6);
    }

    [Fact]
    public void Forward_HugeLogits_StaysFinite()
    {
        float[] z = [1e4f, 0f, -1e4f];
        var p = new float[3];
        double loss = CrossEntropyKernels.Forward(z, [1], p, 1, 3, 0f);
        loss.ShouldBe(1e4, 1e-3);
        p.ShouldBe([1f, 0f, 0f]);
    }

    [Fact]
    public void Backward_IsScaledSoftmaxMinusSmoothedTarget()
    {
        float[] p = [0.5f, 0.25f, 0.25f];
        var g = new float[3];
        CrossEntropyKernels.Backward(p, [2], g, 1, 3, 0.3f, 2f);
        // q = 0.7·onehot(2) + 0.1
        g.ShouldBe([2 * (0.5f - 0.1f), 2 * (0.25f - 0.1f), 2 * (0.25f - 0.8f)], tolerance: 1e-6f);
    }
}
