// Tests of the diagonal-GGN sums the KFAC estimator collects with KfacOptions.Diagonal: exact mode on a
// one-token model equals the diagonal of the dense mean JᵀJ; one sample and one probe give diag(G ⊗ A);
// on the tiny ViT (tokens, fused q/k/v) both token modes equal a double-precision sum over the layers'
// own inputs and output gradients; the GEMM kernel equals its naive twin.
using TaskVectors.Curvature;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Curvature;

public sealed class KfacDiagonalTests
{
    [Fact]
    public void Estimate_ExactModeOneToken_DiagonalEqualsDiagonalOfMeanJtJ()
    {
        const int N = 5, In = 3, Out = 4;
        var model = new LinearEmbedding(In, Out, normalize: true);
        var data = TensorData.Random(11, N, 1, In);
        var block = KfacEstimator.Estimate(model, data, new KfacOptions { Estimator = KfacEstimatorKind.Exact, Diagonal = true, BatchSize = 2 }).Blocks.Single();

        var all = new Tensor(N, 1, In);
        data.Fill(all, [.. Enumerable.Range(0, N)]);
        var j = Dense.ToAugmentedLayout(Dense.Jacobian(model, all, model.Parameters), Out, In);
        var gram = Dense.Gram(j, Enumerable.Range(0, j.GetLength(0)));
        var expected = Enumerable.Range(0, Out * (In + 1)).Select(k => gram[k, k] / N).ToArray();
        var actual = block.Diagonal!.Select(d => d / block.Count).ToArray();
        Dense.ShouldBeClose(actual, expected, Out, In + 1, 1e-5, "S_D/N vs diag(mean JᵀJ)");
    }

    [Fact]
    public void Estimate_OneSampleOneProbe_DiagonalEqualsDiagonalOfKronecker()
    {
        var model = new LinearEmbedding(4, 3, normalize: true);
        var data = TensorData.Random(12, 1, 1, 4);
        var block = KfacEstimator.Estimate(model, data, new KfacOptions { Diagonal = true, Seed = 5 }).Blocks.Single();
        int ad = block.Spec.ADim, gd = block.Spec.GDim;
        var expected = new double[gd * ad];
        for (int o = 0; o < gd; o++)
            for (int i = 0; i < ad; i++) expected[o * ad + i] = block.G[o * gd + o] * block.A[i * ad + i];
        Dense.ShouldBeClose(block.Diagonal!, expected, gd, ad, 1e-6, "S_D vs diag(S_G ⊗ S_A) for a rank-one sample");
    }

    [Theory]
    [InlineData(KfacTokenMode.Expand)]
    [InlineData(KfacTokenMode.Reduce)]
    public void Estimate_TinyVitTokensAndFusedQkv_DiagonalEqualsSumOverLayerCaches(KfacTokenMode mode)
    {
        const int N = 3;
        var model = TinyVit.Model(4);
        var data = TinyVit.Images(N, 9);
        var factors = KfacEstimator.Estimate(model, data, new KfacOptions { Estimator = KfacEstimatorKind.Exact, TokenMode = mode, Diagonal = true, BatchSize = 2 });
        factors.HasDiagonal.ShouldBeTrue();
        factors.Metadata[TaskFactors.DiagonalKey].ShouldBe("true");

        // Ground truth one image and one direction at a time, in float64 from the layers' caches.
        var linears = model.Registration.KfacLayers.ToDictionary(l => l.Weight.Name);
        var expected = factors.Blocks.Select(b => new double[b.Spec.GDim * b.Spec.ADim]).ToArray();
        int c = model.EmbeddingDim;
        for (int n = 0; n < N; n++)
        {
            var image = data.CreateBatchOf(n);
            for (int k = 0; k < c; k++)
            {
                model.Forward(image);
                var e = new Tensor(1, c);
                e[0, k] = 1f;
                model.Backward(e);
                for (int b = 0; b < factors.Blocks.Count; b++)
                {
                    var spec = factors.Blocks[b].Spec;
                    int ad = spec.ADim, offset = 0;
                    foreach (var member in spec.Members)
                    {
                        var linear = linears[member.Weight];
                        var x = linear.CurvatureInput().ToArray();
                        var g = linear.CurvatureGradOutput().ToArray();
                        int tokens = x.Length / spec.InFeatures;
                        for (int o = 0; o < member.OutFeatures; o++)
                            for (int i = 0; i < ad; i++)
                            {
                                double Input(int r) => i < spec.InFeatures ? x[r * spec.InFeatures + i] : 1.0;
                                double Grad(int r) => g[r * member.OutFeatures + o];
                                double value = mode == KfacTokenMode.Expand
                                    ? Enumerable.Range(0, tokens).Sum(r => Grad(r) * Grad(r) * Input(r) * Input(r)) / tokens
                                    : Math.Pow(Enumerable.Range(0, tokens).Sum(Grad), 2) * Math.Pow(Enumerable.Range(0, tokens).Average(Input), 2);
                                expected[b][(offset + o) * ad + i] += value;
                            }
                        offset += member.OutFeatures;
                    }
                }
            }
        }
        factors.Blocks[1].Spec.Members.Count.ShouldBe(3, "q/k/v fused");
        for (int b = 0; b < expected.Length; b++)
            Dense.ShouldBeClose(factors.Blocks[b].Diagonal!, expected[b], factors.Blocks[b].Spec.GDim, factors.Blocks[b].Spec.ADim, 1e-4, factors.Blocks[b].Name);
    }

    [Fact]
    public void Estimate_DiagonalOff_BlocksCarryNone()
    {
        var factors = KfacEstimator.Estimate(TinyVit.Model(), TinyVit.Images(2, 3));
        factors.HasDiagonal.ShouldBeFalse();
        factors.Blocks.ShouldAllBe(b => b.Diagonal == null);
        factors.Metadata[TaskFactors.DiagonalKey].ShouldBe("false");
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 5, 3)]
    [InlineData(130, 33, 97)]
    public void AddTransposeProduct_MatchesNaiveTwin(int rows, int m, int n)
    {
        var rng = new Rng(3);
        var y = new float[rows * m];
        var x = new float[rows * n];
        rng.FillNormal(y);
        rng.FillNormal(x);
        var actual = Enumerable.Range(0, m * n).Select(i => 0.25 * i).ToArray();
        var expected = (double[])actual.Clone();
        GramKernels.AddTransposeProduct(y, m, x, n, rows, 0.5, actual, n, new float[m * n]);
        GramKernels.AddTransposeProductReference(y, m, x, n, rows, 0.5, expected);
        Dense.ShouldBeClose(actual, expected, m, n, 1e-6, "Yᵀ X");
    }
}
