// Tests of Im2Col: a hand-written example, the fast kernels against their reference twins, col2im as
// the exact inverse (patches do not overlap), and size errors.
using TaskVectors.Layers.Kernels;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Layers;

public class Im2ColTests
{
    [Fact]
    public void Forward_HandExample_OrdersPatchesRowMajorAndColumnsByChannelRowColumn()
    {
        // One 2-channel 2×4 image, patch 2: two patches side by side.
        float[] image =
        [
            0, 1, 2, 3,
            4, 5, 6, 7,
            10, 11, 12, 13,
            14, 15, 16, 17,
        ];
        var cols = new float[16];
        Im2Col.Forward(image, cols, 1, 2, 2, 4, 2);
        cols.ShouldBe([0, 1, 4, 5, 10, 11, 14, 15, 2, 3, 6, 7, 12, 13, 16, 17]);
    }

    [Theory]
    [InlineData(2, 1, 8, 8, 4)]
    [InlineData(3, 3, 6, 9, 3)]
    [InlineData(1, 3, 4, 4, 4)]
    public void ForwardAndBackward_MatchReference(int batch, int channels, int height, int width, int patch)
    {
        int n = batch * channels * height * width;
        var images = new float[n];
        new Rng(1).FillNormal(images);
        var fast = new float[n];
        var slow = new float[n];
        Im2Col.Forward(images, fast, batch, channels, height, width, patch);
        Im2Col.ForwardReference(images, slow, batch, channels, height, width, patch);
        fast.ShouldBe(slow);

        var cols = new float[n];
        new Rng(2).FillNormal(cols);
        var back = new float[n];
        var backRef = new float[n];
        Im2Col.Backward(cols, back, batch, channels, height, width, patch);
        Im2Col.BackwardReference(cols, backRef, batch, channels, height, width, patch);
        back.ShouldBe(backRef);
    }

    [Fact]
    public void Backward_OfForward_RestoresImages()
    {
        var images = new float[2 * 3 * 6 * 6];
        new Rng(3).FillNormal(images);
        var cols = new float[images.Length];
        var back = new float[images.Length];
        Im2Col.Forward(images, cols, 2, 3, 6, 6, 2);
        Im2Col.Backward(cols, back, 2, 3, 6, 6, 2);
        back.ShouldBe(images);
    }

    [Fact]
    public void Forward_SizeNotMultipleOfPatch_Throws()
    {
        Should.Throw<ArgumentException>(() => Im2Col.Forward(new float[30], new float[30], 1, 1, 5, 6, 2)).Message.ShouldContain("5×6");
    }

    [Fact]
    public void Forward_WrongSpanLength_Throws()
    {
        Should.Throw<ArgumentException>(() => Im2Col.Forward(new float[16], new float[15], 1, 1, 4, 4, 2));
    }
}
