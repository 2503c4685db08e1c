// KFAC on the CLIP-layout ViT: the layout (fused q/k/v, dense LayerNorm and class-embedding blocks), the
// tensors the estimator reads being the ones Backward used, exact-mode factors against brute-force sums in
// float64 for both token modes, dense blocks against gradients of one image at a time, fusion consistency
// and thread-count independence.
using TaskVectors.Curvature;
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Threading;

namespace TaskVectors.Tests.Curvature;

[Collection(nameof(ThreadLimitCollection))]
public sealed class KfacVisionTransformerTests
{
    private static readonly KfacOptions Exact = new() { Estimator = KfacEstimatorKind.Exact };

    [Fact]
    public void Discover_VisionTransformer_FusesQkvAndListsDenseBlocks()
    {
        var model = TinyVit.Model();
        var layout = KfacLayout.Discover(model, TinyVit.Images(2, 1).CreateBatchOf(0, 1));
        layout.Blocks.Select(b => b.Name).ShouldBe(
        [
            "vision_model.embeddings.patch_embedding",
            "vision_model.encoder.layers.0.self_attn.q_proj+k_proj+v_proj", "vision_model.encoder.layers.0.self_attn.out_proj",
            "vision_model.encoder.layers.0.mlp.fc1", "vision_model.encoder.layers.0.mlp.fc2",
            "vision_model.encoder.layers.1.self_attn.q_proj+k_proj+v_proj", "vision_model.encoder.layers.1.self_attn.out_proj",
            "vision_model.encoder.layers.1.mlp.fc1", "vision_model.encoder.layers.1.mlp.fc2", "visual_projection",
        ]);
        // The patch embedding (8, 3, 4, 4) is the block of an (8 × 48) matrix over image patches, no bias.
        (layout.Blocks[0].HasBias, layout.Blocks[0].ADim, layout.Blocks[0].GDim).ShouldBe((false, 48, 8));
        var qkv = layout.Blocks[1];
        qkv.Members.Select(m => m.Weight).ShouldBe(["vision_model.encoder.layers.0.self_attn.q_proj.weight",
            "vision_model.encoder.layers.0.self_attn.k_proj.weight", "vision_model.encoder.layers.0.self_attn.v_proj.weight"]);
        (qkv.ADim, qkv.GDim).ShouldBe((9, 24));
        var projection = layout.Blocks[^1];
        (projection.HasBias, projection.ADim, projection.GDim).ShouldBe((false, 8, 6));
        layout.DenseBlocks.Select(d => d.Parameter).ShouldBe(
        [
            "vision_model.embeddings.class_embedding", "vision_model.pre_layrnorm.weight", "vision_model.pre_layrnorm.bias",
            "vision_model.encoder.layers.0.layer_norm1.weight", "vision_model.encoder.layers.0.layer_norm1.bias",
            "vision_model.encoder.layers.0.layer_norm2.weight", "vision_model.encoder.layers.0.layer_norm2.bias",
            "vision_model.encoder.layers.1.layer_norm1.weight", "vision_model.encoder.layers.1.layer_norm1.bias",
            "vision_model.encoder.layers.1.layer_norm2.weight", "vision_model.encoder.layers.1.layer_norm2.bias",
            "vision_model.post_layernorm.weight", "vision_model.post_layernorm.bias",
        ]);
        layout.DenseBlocks.ShouldAllBe(d => d.Dim == 8);

        var separate = KfacLayout.Discover(model, TinyVit.Images(2, 1).CreateBatchOf(0, 1), fuseQkv: false, denseBlocks: false);
        separate.Blocks.Count.ShouldBe(14);
        separate.Blocks[1].Name.ShouldBe("vision_model.encoder.layers.0.self_attn.q_proj");
        separate.DenseBlocks.ShouldBeEmpty();
        // A (in+1)² and G out² per block, 8-byte count each, all doubles.
        long expected = 2 * (8L * (81 + 576) + 8 * (81 + 64) + 8 * (81 + 256) + 8 * (289 + 64) + 32) + 8 * (64 + 36) + 8 + 8 * (48 * 48 + 64) + 8;
        layout.FactorBytes(FactorPrecision.Double).ShouldBe(expected + 13 * (8 * 64 + 8));
    }

    [Fact]
    public void Backward_ReadTensorsAfterWholeBackward_ReproduceWeightGradients()
    {
        // The estimator reads each KFAC layer's rows after the model's whole Backward; a buffer reused later in the
        // pass would break Σ_r g_r ā_rᵀ = ∂L/∂W, which Backward itself computed (the patch embedding's W as 8 × 48).
        var model = TinyVit.Model();
        var images = TinyVit.Images(3, 2).CreateBatchOf(0, 1, 2);
        var s = new Tensor(3, 6);
        new Rng(4).FillNormal(s.Span);
        model.Forward(images);
        foreach (var p in model.Parameters) p.ZeroGrad();
        model.Backward(s);
        model.Registration.KfacLayers.Count.ShouldBe(model.Linears.Count + 1);
        foreach (var linear in model.Registration.KfacLayers)
        {
            var x = linear.CurvatureInput().ToArray();
            var gy = linear.CurvatureGradOutput().ToArray();
            int rows = x.Length / linear.InFeatures;
            var expected = new double[linear.OutFeatures, linear.InFeatures];
            var actual = new double[linear.OutFeatures, linear.InFeatures];
            for (int o = 0; o < linear.OutFeatures; o++)
                for (int i = 0; i < linear.InFeatures; i++)
                {
                    for (int r = 0; r < rows; r++) expected[o, i] += (double)gy[r * linear.OutFeatures + o] * x[r * linear.InFeatures + i];
                    actual[o, i] = linear.Weight.Grad[o * linear.InFeatures + i];
                }
            Dense.ShouldBeClose(actual, expected, 1e-5, linear.Name);
        }
    }

    [Theory]
    [InlineData(KfacTokenMode.Expand)]
    [InlineData(KfacTokenMode.Reduce)]
    public void Estimate_ExactMode_MatchesBruteForceSums(KfacTokenMode mode)
    {
        const int N = 3, C = 6;
        var model = TinyVit.Model();
        var data = TinyVit.Images(N, 3);
        var factors = KfacEstimator.Estimate(model, data, Exact with { TokenMode = mode, BatchSize = 2 });

        var linears = model.Registration.KfacLayers.ToDictionary(l => l.Weight.Name);
        var images = data.CreateBatchOf(0, 1, 2);
        var a = factors.Blocks.Select(b => new double[b.Spec.ADim * b.Spec.ADim]).ToArray();
        var g = factors.Blocks.Select(b => new double[b.Spec.GDim * b.Spec.GDim]).ToArray();
        for (int c = 0; c < C; c++)
        {
            model.Forward(images);
            var e = new Tensor(N, C);
            for (int n = 0; n < N; n++) e[n, c] = 1f;
            model.Backward(e);
            for (int b = 0; b < factors.Blocks.Count; b++)
            {
                var spec = factors.Blocks[b].Spec;
                var members = spec.Members.Select(m => linears[m.Weight]).ToArray();
                var x = members[0].CurvatureInput().ToArray();
                int rows = x.Length / spec.InFeatures, tokens = rows / N;
                // Per row r: ā_r (ADim) and the members' gradients side by side (GDim), in double.
                double[] Abar(int r) => [.. Enumerable.Range(0, spec.InFeatures).Select(i => (double)x[r * spec.InFeatures + i]), .. spec.HasBias ? [1.0] : Array.Empty<double>()];
                double[] Grad(int r) => [.. members.SelectMany(l => Enumerable.Range(0, l.OutFeatures).Select(o => (double)l.CurvatureGradOutput()[r * l.OutFeatures + o]))];
                for (int n = 0; n < N; n++)
                {
                    var sampleRows = Enumerable.Range(n * tokens, tokens).ToArray();
                    if (mode == KfacTokenMode.Expand)
                    {
                        foreach (int r in sampleRows)
                        {
                            if (c == 0) AddOuter(a[b], Abar(r), 1.0 / tokens);
                            AddOuter(g[b], Grad(r), 1.0 / tokens);
                        }
                    }
                    else
                    {
                        if (c == 0) AddOuter(a[b], Sum(sampleRows.Select(Abar), 1.0 / tokens), 1.0);
                        AddOuter(g[b], Sum(sampleRows.Select(Grad), 1.0), 1.0);
                    }
                }
            }
        }
        for (int b = 0; b < factors.Blocks.Count; b++)
        {
            var block = factors.Blocks[b];
            block.Count.ShouldBe(N);
            Dense.ShouldBeClose(block.A, a[b], block.Spec.ADim, 1e-5, block.Name + " A");
            Dense.ShouldBeClose(block.G, g[b], block.Spec.GDim, 1e-5, block.Name + " G");
        }
    }

    [Fact]
    public void Estimate_DenseBlocks_MatchGradientsOfOneImageAtATime()
    {
        const int N = 3, C = 6;
        var model = TinyVit.Model();
        var data = TinyVit.Images(N, 5);
        var factors = KfacEstimator.Estimate(model, data, Exact);
        var byName = model.Parameters.ToDictionary(p => p.Name);
        var expected = factors.DenseBlocks.Select(d => new double[d.Spec.Dim * d.Spec.Dim]).ToArray();
        for (int n = 0; n < N; n++)
        {
            var image = data.CreateBatchOf(n);
            for (int c = 0; c < C; c++)
            {
                model.Forward(image);
                foreach (var p in model.Parameters) p.ZeroGrad();
                var e = new Tensor(1, C);
                e[0, c] = 1f;
                model.Backward(e);
                for (int d = 0; d < expected.Length; d++)
                    AddOuter(expected[d], [.. byName[factors.DenseBlocks[d].Parameter].Grad.Span.ToArray().Select(v => (double)v)], 1.0);
            }
        }
        for (int d = 0; d < expected.Length; d++)
        {
            var block = factors.DenseBlocks[d];
            block.Count.ShouldBe(N);
            Dense.ShouldBeClose(block.F, expected[d], block.Spec.Dim, 1e-5, block.Parameter);
        }
    }

    [Fact]
    public void Estimate_Unfused_BlocksAreTheFusedDiagonalBlocks()
    {
        var model = TinyVit.Model();
        var data = TinyVit.Images(4, 6);
        var fused = KfacEstimator.Estimate(model, data, new KfacOptions { Seed = 2 });
        var separate = KfacEstimator.Estimate(model, data, new KfacOptions { Seed = 2, FuseQkv = false, DenseBlocks = false });
        separate.DenseBlocks.ShouldBeEmpty();
        var qkv = fused.Blocks[1];
        for (int m = 0; m < 3; m++)
        {
            var single = separate.Blocks[1 + m];
            single.Name.ShouldBe(qkv.Spec.Members[m].Weight[..^".weight".Length]);
            Dense.ShouldBeClose(single.A, qkv.A, 9, 1e-6, "shared A");
            var diagonal = new double[64];
            for (int i = 0; i < 8; i++)
                for (int k = 0; k < 8; k++) diagonal[i * 8 + k] = qkv.G[(8 * m + i) * 24 + 8 * m + k];
            Dense.ShouldBeClose(single.G, diagonal, 8, 1e-6, $"G of member {m}");
        }
        // The fused G carries the q/k/v cross terms the separate blocks drop.
        Math.Abs(qkv.G[0 * 24 + 8]).ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Estimate_OneThreadOrMany_SameBits()
    {
        var model = TinyVit.Model();
        var data = TinyVit.Images(5, 7);
        var options = new KfacOptions { Seed = 3, Probes = 2, BatchSize = 3 };
        var many = KfacEstimator.Estimate(model, data, options);
        TaskFactors one;
        ParallelLoop.ThreadLimit = 1;
        try
        {
            one = KfacEstimator.Estimate(model, data, options);
        }
        finally
        {
            ParallelLoop.ThreadLimit = int.MaxValue;
        }
        for (int b = 0; b < many.Blocks.Count; b++)
        {
            ArrayAssert.Equal(one.Blocks[b].A, many.Blocks[b].A, $"block {b} A");
            ArrayAssert.Equal(one.Blocks[b].G, many.Blocks[b].G, $"block {b} G");
        }
        for (int d = 0; d < many.DenseBlocks.Count; d++) ArrayAssert.Equal(one.DenseBlocks[d].F, many.DenseBlocks[d].F, $"dense block {d}");
    }

    private static void AddOuter(double[] target, double[] v, double scale)
    {
        int n = v.Length;
        target.Length.ShouldBe(n * n);
        for (int i = 0; i < n; i++)
            for (int k = 0; k < n; k++) target[i * n + k] += scale * v[i] * v[k];
    }

    private static double[] Sum(IEnumerable<double[]> rows, double scale)
    {
        double[]? sum = null;
        foreach (var r in rows)
        {
            sum ??= new double[r.Length];
            for (int i = 0; i < r.Length; i++) sum[i] += scale * r[i];
        }
        return sum!;
    }
}
