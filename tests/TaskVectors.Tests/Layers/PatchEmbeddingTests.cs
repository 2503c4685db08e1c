// Tests of PatchEmbedding: agreement with a naive direct strided convolution (1 and 3 channels, with
// and without bias), derivatives against finite differences and the adjoint identity, PyTorch weight
// layout and names, size validation and allocation-free steady state.
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Layers;

public class PatchEmbeddingTests
{
    private static PatchEmbedding Make(int channels, int imageSize, int patch, int dim, bool bias, ulong seed = 5)
    {
        var layer = new PatchEmbedding("vision_model.embeddings.patch_embedding", channels, imageSize, patch, dim, bias);
        var rng = new Rng(seed);
        layer.Initialize(rng, 0.3f);
        if (layer.Bias is not null) rng.FillNormal(layer.Bias.Value.Span);
        return layer;
    }

    private static Tensor Images(ulong seed, params int[] shape) => TestTensors.Normal(seed, shape);

    // Conv2d(stride = kernel = p) from its definition, in double precision.
    private static double[] DirectConvolution(PatchEmbedding layer, Tensor x)
    {
        int b = x.Dim(0), c = layer.Channels, s = layer.ImageSize, p = layer.PatchSize, g = layer.GridSize, dim = layer.Dim;
        var w = layer.Weight.Value;
        var y = new double[b * g * g * dim];
        for (int bb = 0; bb < b; bb++)
            for (int gy = 0; gy < g; gy++)
                for (int gx = 0; gx < g; gx++)
                    for (int o = 0; o < dim; o++)
                    {
                        double sum = layer.Bias is null ? 0 : layer.Bias.Value[o];
                        for (int cc = 0; cc < c; cc++)
                            for (int ky = 0; ky < p; ky++)
                                for (int kx = 0; kx < p; kx++)
                                    sum += (double)w[((o * c + cc) * p + ky) * p + kx] * x[((bb * c + cc) * s + gy * p + ky) * s + gx * p + kx];
                        y[((bb * g + gy) * g + gx) * dim + o] = sum;
                    }
        return y;
    }

    [Theory]
    [InlineData(1, 8, 4, 5, false)]
    [InlineData(3, 6, 2, 7, false)]
    [InlineData(3, 9, 3, 4, true)]
    public void Forward_MatchesDirectConvolution(int channels, int imageSize, int patch, int dim, bool bias)
    {
        var layer = Make(channels, imageSize, patch, dim, bias);
        var x = Images(1, 2, channels, imageSize, imageSize);
        var y = layer.Forward(x);
        y.Shape.ToArray().ShouldBe([2, layer.Patches, dim]);
        var expected = DirectConvolution(layer, x);
        for (int i = 0; i < y.Length; i++) y[i].ShouldBe((float)expected[i], 1e-5 * (1 + Math.Abs(expected[i])), $"y[{i}]");
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(3, true)]
    public void Backward_MatchesFiniteDifferences(int channels, bool bias)
    {
        DerivativeChecks.Backward(Probe.ForLayer(Make(channels, 6, 3, 5, bias), Images(2, 2, channels, 6, 6)));
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(3, true)]
    public void Jvp_MatchesFiniteDifferences(int channels, bool bias)
    {
        DerivativeChecks.Jvp(Probe.ForLayer(Make(channels, 6, 3, 5, bias), Images(3, 2, channels, 6, 6)));
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(3, false)]
    public void JvpAndBackward_SatisfyAdjointIdentity(int channels, bool bias)
    {
        DerivativeChecks.Adjoint(Probe.ForLayer(Make(channels, 8, 4, 6, bias), Images(4, 3, channels, 8, 8)));
    }

    [Fact]
    public void Parameters_UsePyTorchConvLayoutAndNames()
    {
        var clip = new PatchEmbedding("vision_model.embeddings.patch_embedding", 3, 224, 32, 768);
        clip.Parameters.Count.ShouldBe(1);
        clip.Weight.Name.ShouldBe("vision_model.embeddings.patch_embedding.weight");
        clip.Weight.Value.Shape.ToArray().ShouldBe([768, 3, 32, 32]);
        clip.Patches.ShouldBe(49);
        new PatchEmbedding("pe", 1, 28, 7, 16, bias: true).Parameters.Select(p => p.Name).ShouldBe(["pe.weight", "pe.bias"]);
    }

    [Fact]
    public void Forward_WrongImageSize_ThrowsNamingLayer()
    {
        var layer = Make(3, 8, 4, 5, false);
        Should.Throw<ArgumentException>(() => layer.Forward(new Tensor(2, 3, 8, 12))).Message.ShouldContain("patch_embedding");
        Should.Throw<ArgumentException>(() => layer.Forward(new Tensor(2, 1, 8, 8))).Message.ShouldContain("patch_embedding");
    }

    [Fact]
    public void Constructor_InvalidSizes_Throw()
    {
        Should.Throw<ArgumentException>(() => new PatchEmbedding("pe", 3, 30, 4, 8)).Message.ShouldContain("pe");
        Should.Throw<ArgumentException>(() => new PatchEmbedding("pe", 2, 32, 4, 8)).Message.ShouldContain("channels");
    }

    [Fact]
    public void Backward_BeforeForward_ThrowsNamingLayer()
    {
        Should.Throw<InvalidOperationException>(() => Make(1, 4, 2, 3, false).Backward(new Tensor(1, 4, 3))).Message.ShouldContain("patch_embedding");
    }

    [Fact]
    public void ForwardBackwardJvp_SteadyState_AllocatesNothing()
    {
        var layer = Make(3, 8, 4, 6, true);
        layer.Weight.Tangent = new Tensor(layer.Weight.Value.Shape);
        layer.Bias!.Tangent = new Tensor(6);
        var x = Images(5, 2, 3, 8, 8);
        var g = new Tensor(2, 4, 6);
        void Step()
        {
            layer.Forward(x);
            layer.Backward(g);
            layer.Jvp(x, x);
        }
        Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) Step();
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);
    }
}
