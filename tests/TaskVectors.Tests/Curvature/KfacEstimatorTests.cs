// Tests of KfacEstimator against closed-form ground truth on a one-Linear model: A ⊗ G = Jᵀ s sᵀ J for one
// sample and probe, exact-mode factors = JᵀJ, exact mean factors of a linear model = mean JᵀJ, Monte-Carlo
// error falling like 1/√P, both token modes by brute force; plus batching, example cap, progress,
// cancellation, metadata and the model state left behind.
using TaskVectors.Curvature;
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Curvature;

public sealed class KfacEstimatorTests
{
    private static KfacOptions Exact => new() { Estimator = KfacEstimatorKind.Exact };

    // (S_G/N) ⊗ (S_A/N) of the single block, in the [W | b] row-major layout.
    private static double[,] Curvature(TaskFactors factors)
    {
        var block = factors.Blocks.Single();
        return Dense.Kronecker(block.G, block.Spec.GDim, block.A, block.Spec.ADim, 1.0 / ((double)block.Count * block.Count));
    }

    private static double[,] AugmentedJacobian(LinearEmbedding model, Tensor input) =>
        Dense.ToAugmentedLayout(Dense.Jacobian(model, input, model.Parameters), model.Layer.OutFeatures, model.Layer.InFeatures);

    [Fact]
    public void Estimate_OneLinearOneSampleOneProbe_KroneckerEqualsJtSSTJ()
    {
        var model = new LinearEmbedding(4, 3, normalize: true);
        var data = TensorData.Random(3, 1, 1, 4);
        var factors = KfacEstimator.Estimate(model, data, new KfacOptions { Seed = 7 });

        // The probe is the first C draws of Rng(seed) (KfacOptions.Seed's documented stream).
        var s = new float[3];
        new Rng(7).FillNormal(s);
        var j = AugmentedJacobian(model, data.CreateBatchOf(0));
        var v = new double[j.GetLength(1)];
        for (int p = 0; p < v.Length; p++)
            for (int c = 0; c < 3; c++) v[p] += j[c, p] * s[c];
        var expected = new double[v.Length, v.Length];
        for (int a = 0; a < v.Length; a++)
            for (int b = 0; b < v.Length; b++) expected[a, b] = v[a] * v[b];

        Dense.ShouldBeClose(Curvature(factors), expected, 1e-5, "A ⊗ G vs Jᵀ s sᵀ J");
    }

    [Fact]
    public void Estimate_ExactModeOneSample_KroneckerEqualsJtJ()
    {
        var model = new LinearEmbedding(4, 3, normalize: true);
        var data = TensorData.Random(4, 1, 1, 4);
        var factors = KfacEstimator.Estimate(model, data, Exact);
        var j = AugmentedJacobian(model, data.CreateBatchOf(0));
        Dense.ShouldBeClose(Curvature(factors), Dense.Gram(j, Enumerable.Range(0, 3)), 1e-5, "A ⊗ G vs JᵀJ");
    }

    [Fact]
    public void Estimate_ExactModeLinearModelManySamples_MeanFactorsGiveMeanJtJ()
    {
        // f = W x + b: J_n = ā_nᵀ ⊗ I, so (1/N) Σ J_nᵀ J_n = (S_A/N) ⊗ I exactly, and S_G/N = I.
        var model = new LinearEmbedding(3, 2, normalize: false);
        var data = TensorData.Random(5, 6, 1, 3);
        var factors = KfacEstimator.Estimate(model, data, Exact with { BatchSize = 4 });
        var all = new Tensor(6, 1, 3);
        data.Fill(all, [0, 1, 2, 3, 4, 5]);
        var j = AugmentedJacobian(model, all);
        var expected = Dense.Gram(j, Enumerable.Range(0, j.GetLength(0)));
        for (int a = 0; a < expected.GetLength(0); a++)
            for (int b = 0; b < expected.GetLength(1); b++) expected[a, b] /= 6;

        Dense.ShouldBeClose(Curvature(factors), expected, 1e-6, "mean A ⊗ mean G vs mean JᵀJ");
        var block = factors.Blocks.Single();
        Dense.ShouldBeClose(block.G.Select(g => g / block.Count).ToArray(), [1, 0, 0, 1], 2, 1e-12, "G/N");
    }

    [Fact]
    public void Estimate_MonteCarloProbesGrow_ErrorFallsLikeInverseSquareRoot()
    {
        var model = new LinearEmbedding(3, 4, normalize: true);
        var data = TensorData.Random(6, 4, 2, 3);
        var exact = KfacEstimator.Estimate(model, data, Exact).Blocks.Single().G;
        double norm = Math.Sqrt(exact.Sum(x => x * x));
        int[] probes = [1, 4, 16, 64, 256];
        const int Seeds = 12;
        var meanSquared = new double[probes.Length];
        for (int k = 0; k < probes.Length; k++)
        {
            for (ulong seed = 0; seed < Seeds; seed++)
            {
                var g = KfacEstimator.Estimate(model, data, new KfacOptions { Probes = probes[k], Seed = 1000 * seed + 17 }).Blocks.Single().G;
                meanSquared[k] += g.Zip(exact, (a, b) => (a - b) * (a - b)).Sum() / (norm * norm) / Seeds;
            }
        }
        // Least-squares slope of log RMSE against log P: −½ for an unbiased estimator with independent probes;
        // a bias would flatten it towards 0, correlated probes would too.
        double[] x = [.. probes.Select(p => Math.Log(p))];
        double[] y = [.. meanSquared.Select(m => 0.5 * Math.Log(m))];
        double mx = x.Average(), my = y.Average();
        double slope = x.Zip(y, (a, b) => (a - mx) * (b - my)).Sum() / x.Sum(a => (a - mx) * (a - mx));
        slope.ShouldBeInRange(-0.65, -0.35, $"RMSE by probes: {string.Join(", ", meanSquared.Select(Math.Sqrt).Select(e => e.ToString("G3")))}");
        Math.Sqrt(meanSquared[^1]).ShouldBeLessThan(0.15, "relative error at 256 probes");
    }

    [Theory]
    [InlineData(KfacTokenMode.Expand)]
    [InlineData(KfacTokenMode.Reduce)]
    public void Estimate_TokenModes_MatchBruteForce(KfacTokenMode mode)
    {
        const int N = 4, T = 3, In = 3, Out = 2;
        var model = new LinearEmbedding(In, Out, normalize: true);
        var data = TensorData.Random(8, N, T, In);
        var factors = KfacEstimator.Estimate(model, data, Exact with { TokenMode = mode, BatchSize = 3, Diagonal = true });

        var w = model.Layer.Weight.Value;
        var bias = model.Layer.Bias!.Value;
        var x = new Tensor(N, T, In);
        data.Fill(x, [0, 1, 2, 3]);
        var a = new double[(In + 1) * (In + 1)];
        var g = new double[Out * Out];
        var diagonal = new double[Out * (In + 1)];
        for (int n = 0; n < N; n++)
        {
            // ā per token, u = token mean of W x + b, f = u/‖u‖; g_t for direction c = (1/T)(e_c − f_c f)/‖u‖.
            var abar = new double[T][];
            var u = new double[Out];
            for (int t = 0; t < T; t++)
            {
                abar[t] = [.. Enumerable.Range(0, In).Select(i => (double)x[n, t, i]), 1.0];
                for (int o = 0; o < Out; o++)
                {
                    double y = bias[o];
                    for (int i = 0; i < In; i++) y += w[o, i] * abar[t][i];
                    u[o] += y / T;
                }
            }
            double un = Math.Sqrt(u.Sum(v => v * v));
            var f = u.Select(v => v / un).ToArray();
            var mean = Enumerable.Range(0, In + 1).Select(i => abar.Average(r => r[i])).ToArray();
            for (int i = 0; i <= In; i++)
                for (int k = 0; k <= In; k++)
                    a[i * (In + 1) + k] += mode == KfacTokenMode.Expand ? abar.Sum(r => r[i] * r[k]) / T : mean[i] * mean[k];
            for (int c = 0; c < Out; c++)
            {
                var gt = Enumerable.Range(0, Out).Select(o => ((o == c ? 1 : 0) - f[c] * f[o]) / un / T).ToArray();
                for (int o = 0; o < Out; o++)
                    for (int o2 = 0; o2 < Out; o2++)
                        g[o * Out + o2] += mode == KfacTokenMode.Expand ? T * gt[o] * gt[o2] / T : (T * gt[o]) * (T * gt[o2]);
                // Diagonal: expand Σ_t (1/T) g_t[o]² ā_t[i]² (g_t = gt for every token); reduce (T·gt[o])² mean[i]².
                for (int o = 0; o < Out; o++)
                    for (int i = 0; i <= In; i++)
                        diagonal[o * (In + 1) + i] += mode == KfacTokenMode.Expand
                            ? abar.Sum(r => gt[o] * gt[o] * r[i] * r[i]) / T
                            : T * gt[o] * T * gt[o] * mean[i] * mean[i];
            }
        }
        var block = factors.Blocks.Single();
        Dense.ShouldBeClose(block.A, a, In + 1, 1e-6, "A");
        Dense.ShouldBeClose(block.G, g, Out, 1e-5, "G");
        Dense.ShouldBeClose(block.Diagonal!, diagonal, Out, In + 1, 1e-5, "diagonal");
        block.Count.ShouldBe(N);
    }

    [Fact]
    public void Estimate_SingleTokenPerSample_ExpandAndReduceAgree()
    {
        var model = new LinearEmbedding(3, 4, normalize: true);
        var data = TensorData.Random(9, 5, 1, 3);
        var expand = KfacEstimator.Estimate(model, data, new KfacOptions { TokenMode = KfacTokenMode.Expand, Seed = 3 }).Blocks.Single();
        var reduce = KfacEstimator.Estimate(model, data, new KfacOptions { TokenMode = KfacTokenMode.Reduce, Seed = 3 }).Blocks.Single();
        Dense.ShouldBeClose(reduce.A, expand.A, 4, 1e-6, "A");
        Dense.ShouldBeClose(reduce.G, expand.G, 4, 1e-6, "G");
    }

    [Fact]
    public void Estimate_BatchesCapAndTail_SameAsOneBatchOfTheFirstExamples()
    {
        var model = new LinearEmbedding(3, 4, normalize: true);
        var data = TensorData.Random(10, 7, 2, 3);
        var first5 = new TensorData(data.CreateBatchOf(0, 1, 2, 3, 4));
        // One probe: the stream is consumed sample by sample whatever the batch size.
        var options = new KfacOptions { Seed = 5, MaxExamples = 5, BatchSize = 2 };
        var batched = KfacEstimator.Estimate(model, data, options);
        var whole = KfacEstimator.Estimate(model, first5, options with { MaxExamples = int.MaxValue, BatchSize = 64 });
        batched.Count.ShouldBe(5);
        batched.Blocks[0].Count.ShouldBe(5);
        Dense.ShouldBeClose(batched.Blocks[0].A, whole.Blocks[0].A, 4, 1e-6, "A");
        Dense.ShouldBeClose(batched.Blocks[0].G, whole.Blocks[0].G, 4, 1e-6, "G");
    }

    [Fact]
    public void Estimate_ProgressAndMetadata_Recorded()
    {
        var model = new LinearEmbedding(3, 4, normalize: true);
        var reports = new List<KfacProgress>();
        var factors = KfacEstimator.Estimate(model, TensorData.Random(11, 7, 1, 3),
            new KfacOptions { BatchSize = 3, Probes = 2, Seed = 9 }, new SynchronousProgress<KfacProgress>(reports.Add));
        reports.Select(r => r.Examples).ShouldBe([3, 6, 7]);
        reports.Select(r => r.Batches).ShouldBe([1, 2, 3]);
        reports.ShouldAllBe(r => r.TotalExamples == 7);
        factors.Metadata[TaskFactors.EstimatorKey].ShouldBe("monte-carlo");
        factors.Metadata[TaskFactors.ProbesKey].ShouldBe("2");
        factors.Metadata[TaskFactors.TokenModeKey].ShouldBe("expand");
        factors.Metadata[TaskFactors.SeedKey].ShouldBe("9");
        factors.Metadata[TaskFactors.DatasetKey].ShouldBe("test inputs");
        factors.BaseFingerprint.ShouldBe(ModelFingerprint.Compute(model));
    }

    [Fact]
    public void Estimate_LeavesGradientsAndRequiresGradAsTheyWere()
    {
        var model = TinyVit.Model();
        foreach (var p in model.Parameters) p.Grad.Fill(0.25f);
        var frozen = model.Parameters[3];
        frozen.RequiresGrad = false;
        KfacEstimator.Estimate(model, TinyVit.Images(3, 2), new KfacOptions { BatchSize = 2 });
        foreach (var p in model.Parameters)
        {
            p.Grad.Span.ContainsAnyExcept(0.25f).ShouldBeFalse($"{p.Name}: the estimator needs no parameter gradients and leaves the caller's alone");
            p.RequiresGrad.ShouldBe(!ReferenceEquals(p, frozen), p.Name);
        }
    }

    [Fact]
    public void Estimate_Cancelled_Throws()
    {
        var model = new LinearEmbedding(3, 4, normalize: true);
        using var cts = new CancellationTokenSource();
        int batches = 0;
        var progress = new SynchronousProgress<KfacProgress>(_ =>
        {
            if (++batches == 1) cts.Cancel();
        });
        Should.Throw<OperationCanceledException>(() =>
            KfacEstimator.Estimate(model, TensorData.Random(12, 6, 1, 3), new KfacOptions { BatchSize = 2 }, progress, cts.Token));
        batches.ShouldBe(1);
    }

    [Fact]
    public void Estimate_InvalidOptions_Throw()
    {
        var model = new LinearEmbedding(3, 4, normalize: true);
        var data = TensorData.Random(13, 2, 1, 3);
        Should.Throw<ArgumentOutOfRangeException>(() => KfacEstimator.Estimate(model, data, new KfacOptions { Probes = 0 }));
        Should.Throw<ArgumentOutOfRangeException>(() => KfacEstimator.Estimate(model, data, new KfacOptions { BatchSize = 0 }));
        Should.Throw<ArgumentOutOfRangeException>(() => KfacEstimator.Estimate(model, data, new KfacOptions { MaxExamples = 0 }));
    }
}
