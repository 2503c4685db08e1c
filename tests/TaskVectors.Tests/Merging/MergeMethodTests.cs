// Tests of every registered merge method on small tensors whose merge is computed by hand (or, for the SVD
// methods, by closed forms and spectral properties that do not go through the method's code): task arithmetic,
// TIES (official trim rule, sign election with majority fill, disjoint mean), DARE, TALL/Consensus, Iso-C,
// Iso-CTS, TSV, RegMean with KFAC A factors, diagonal Fisher; the registry and option validation.
using MathNet.Numerics.LinearAlgebra;
using TaskVectors.Curvature;
using TaskVectors.Merging;
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Merging;

public sealed class MergeMethodTests
{
    internal static MergeTensor Tensor(int[] shape, params float[][] tasks) =>
        new("w", shape, [.. tasks.Select(t => (ReadOnlyMemory<float>)t)], (_, _) => null);

    private static float[] Run(IMergeMethod method, int[] shape, params float[][] tasks)
    {
        var result = new float[tasks[0].Length];
        method.Merge(Tensor(shape, tasks), result);
        return result;
    }

    private static void ShouldBeClose(float[] actual, float[] expected, float tolerance = 1e-5f)
    {
        actual.Length.ShouldBe(expected.Length);
        for (int i = 0; i < actual.Length; i++) actual[i].ShouldBe(expected[i], tolerance, $"entry {i}");
    }

    [Fact]
    public void TaskArithmetic_SumsTasks()
    {
        Run(new TaskArithmeticMerge(), [2], [1f, 2], [3f, -4]).ShouldBe([4f, -2]);
    }

    [Fact]
    public void Ties_HandComputedExample_TrimsElectsAndAveragesAgreeingEntries()
    {
        // Density 0.4 of 5 entries: threshold = 3rd smallest magnitude (official kthvalue(d − ⌊0.4·d⌋)), so |x| ≥ 2 is kept.
        // Trimmed: [0,-2,3,-4,0], [-3,0,0,-2,5], [2,2,0,0,-6]; sums [-1,0,3,-6,-1]; majority sign − fills entry 1.
        var merged = Run(new TiesMerge(new MergeOptions { Density = 0.4 }), [5],
            [1f, -2, 3, -4, 0.5f], [-3f, 1, -1, -2, 5], [2f, 2, 0.1f, 1, -6]);
        merged.ShouldBe([-3f, -2, 3, -3, -6]);
    }

    [Fact]
    public void Ties_DensityOne_KeepsEverything_AndNoAgreeingEntryGivesZero()
    {
        Run(new TiesMerge(new MergeOptions { Density = 1 }), [3], [1f, -1, 2], [3f, 1, -2]).ShouldBe([2f, 1, 2]);
    }

    [Fact]
    public void Ties_VectorizedKernels_MatchNaiveDefinition_OnLongTensors()
    {
        var rng = new Rng(11);
        const int d = 103, tasks = 4;
        var x = Enumerable.Range(0, tasks).Select(_ =>
        {
            var v = new float[d];
            rng.FillNormal(v);
            for (int i = 0; i < d; i += 7) v[i] = 0; // zeros and exact cancellations exercise the majority fill
            return v;
        }).ToArray();
        x[1][3] = -x[0][3];
        x[2][3] = x[3][3] = 0;
        var merged = Run(new TiesMerge(new MergeOptions { Density = 0.3 }), [d], x);
        // Naive: threshold from a full sort, trim, elect with majority fill, disjoint mean.
        var trimmed = x.Select(v =>
        {
            var sorted = v.Select(Math.Abs).Order().ToArray();
            float threshold = sorted[d - (int)(d * 0.3) - 1];
            return v.Select(e => Math.Abs(e) >= threshold ? e : 0f).ToArray();
        }).ToArray();
        var sums = Enumerable.Range(0, d).Select(i => trimmed.Sum(t => t[i])).ToArray();
        int majority = Math.Sign(sums.Sum(v => Math.Sign(v)));
        for (int i = 0; i < d; i++)
        {
            int sign = Math.Sign(sums[i]) == 0 ? majority : Math.Sign(sums[i]);
            var agree = trimmed.Select(t => t[i]).Where(v => sign > 0 ? v > 0 : v < 0).ToArray();
            merged[i].ShouldBe(agree.Length == 0 ? 0f : agree.Sum() / agree.Length, 1e-6f, $"entry {i}");
        }
    }

    [Fact]
    public void Select_RandomValues_MatchesSorting()
    {
        var rng = new Rng(5);
        for (int n = 1; n < 60; n += 7)
        {
            var values = new float[n];
            rng.FillNormal(values);
            values[n / 2] = values[0]; // a tie
            var sorted = values.Order().ToArray();
            for (int k = 0; k < n; k++) MergeKernels.Select(values.ToArray(), k).ShouldBe(sorted[k]);
        }
    }

    [Fact]
    public void SelectMagnitude_SignedValuesTiesZerosSubnormals_MatchesSortedMagnitudes()
    {
        var rng = new Rng(11);
        foreach (int n in new[] { 1, 2, 3, 17, 1000, 70_001 })
        {
            var values = new float[n];
            rng.FillNormal(values);
            for (int i = 0; i < n; i += 5) values[i] = -values[i / 2];            // ties of |x| with opposite signs
            if (n > 3) { values[1] = 0f; values[2] = -0f; values[3] = 1e-42f; }    // zeros of both signs, a subnormal
            if (n > 1000) values[n - 1] = 3e38f;
            var sorted = values.Select(MathF.Abs).Order().ToArray();
            var scratch = new uint[n];
            foreach (int k in n < 50 ? Enumerable.Range(0, n) : new[] { 0, 1, n / 3, n / 2, n - 2, n - 1 })
            {
                MergeKernels.SelectMagnitude(values, k, scratch).ShouldBe(sorted[k], $"n = {n}, k = {k}");
                MergeKernels.Select(values.Select(MathF.Abs).ToArray(), k).ShouldBe(sorted[k]);   // the reference twin agrees
            }
        }
    }

    [Fact]
    public void DareLinear_DropRateZero_EqualsTaskArithmetic()
    {
        Run(new DareMerge(ties: false, new MergeOptions { DropRate = 0 }), [3], [1f, 2, 3], [4f, 5, -6]).ShouldBe([5f, 7, -3]);
        Run(new DareMerge(ties: true, new MergeOptions { DropRate = 0 }), [3], [1f, -1, 2], [3f, 1, -2])
            .ShouldBe(Run(new TiesMerge(new MergeOptions { Density = 1 }), [3], [1f, -1, 2], [3f, 1, -2]));
    }

    [Fact]
    public void Dare_HalfDropped_KeepsRescaledEntries_Seeded()
    {
        var x = Enumerable.Range(1, 10_000).Select(i => (float)i).ToArray();
        var zero = new float[x.Length];
        var a = Run(new DareMerge(false, new MergeOptions { DropRate = 0.5, Seed = 7 }), [x.Length], x, zero);
        for (int i = 0; i < x.Length; i++) (a[i] == 0f || a[i] == 2 * x[i]).ShouldBeTrue($"entry {i} is {a[i]}");
        a.Count(v => v == 0f).ShouldBeInRange(4_800, 5_200);
        Run(new DareMerge(false, new MergeOptions { DropRate = 0.5, Seed = 7 }), [x.Length], x, zero).ShouldBe(a);
        Run(new DareMerge(false, new MergeOptions { DropRate = 0.5, Seed = 8 }), [x.Length], x, zero).SequenceEqual(a).ShouldBeFalse();
        DareMerge.MaskSeed(7, 0, "a").ShouldNotBe(DareMerge.MaskSeed(7, 0, "b"));
        DareMerge.MaskSeed(7, 0, "a").ShouldNotBe(DareMerge.MaskSeed(7, 1, "a"));
    }

    [Fact]
    public void Consensus_And_Tall_HandComputedMasks()
    {
        // τ_MTL = [2, 0, 2.1]; λ = 0.5: m_1 = [1, 1, 0], m_2 = [1, 1, 1]; votes [2, 2, 1].
        float[] t1 = [1f, 1, 0.1f], t2 = [1f, -1, 2];
        ShouldBeClose(Run(new ConsensusMerge(false, new MergeOptions { Lambda = 0.5, MinTasks = 2 }), [3], t1, t2), [2f, 0, 0]);
        ShouldBeClose(Run(new ConsensusMerge(true, new MergeOptions { Lambda = 0.5, TallTask = 0 }), [3], t1, t2), [2f, 0, 0]);
        ShouldBeClose(Run(new ConsensusMerge(true, new MergeOptions { Lambda = 0.5, TallTask = 1 }), [3], t1, t2), [2f, 0, 2.1f]);
        ShouldBeClose(Run(new ConsensusMerge(false, new MergeOptions { Lambda = 0.5, MinTasks = 1 }), [3], t1, t2), [2f, 0, 2.1f]);
    }

    [Fact]
    public void IsoC_DiagonalSum_FlattensSpectrum_AndAveragesVectors()
    {
        // Σ τ = diag(3, 1): σ = (3, 1), σ̄ = 2, U Vᵀ = I.
        ShouldBeClose(Run(new IsoCMerge(), [2, 2], [2f, 0, 0, 0], [1f, 0, 0, 1]), [2f, 0, 0, 2]);
        ShouldBeClose(Run(new IsoCMerge(), [2], [2f, 4], [0f, 2]), [1f, 3]);
    }

    [Fact]
    public void IsoC_RandomMatrix_IsIsotropicWithMeanSingularValueAndKeepsAlignment()
    {
        var rng = new Rng(3);
        float[] a = new float[12], b = new float[12];
        rng.FillNormal(a);
        rng.FillNormal(b);
        var r = MatrixMath.FromRowMajor(Run(new IsoCMerge(), [3, 4], a, b), 3, 4);
        var delta = MatrixMath.FromRowMajor(a.Zip(b, (x, y) => x + y).ToArray(), 3, 4);
        double mean = delta.Svd().S.Average();
        (r * r.Transpose() - mean * mean * Matrix<double>.Build.DenseIdentity(3)).FrobeniusNorm().ShouldBeLessThan(1e-4);
        // tr(Rᵀ Δ) = σ̄ · Σ σ_i (R = σ̄ U Vᵀ, Δ = U Σ Vᵀ).
        (r.TransposeThisAndMultiply(delta).Trace()).ShouldBe(mean * delta.Svd().S.Sum(), 1e-3);
    }

    [Fact]
    public void IsoCts_DiagonalTasks_HandComputed_AndFullCommonSpaceEqualsIsoC()
    {
        // Δ = diag(5, 4, 2, 1); r = 4, T = 2, f = 0.5: common {e1, e2}; task 1 adds e3 (σ 2), task 2 adds e4 (σ 1); σ̄ = 3.
        float[] t1 = [5f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0];
        float[] t2 = [0f, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        float[] identity3 = [3f, 0, 0, 0, 0, 3, 0, 0, 0, 0, 3, 0, 0, 0, 0, 3];
        ShouldBeClose(Run(new IsoCtsMerge(new MergeOptions { CommonSpaceFraction = 0.5 }), [4, 4], t1, t2), identity3);
        var rng = new Rng(9);
        float[] a = new float[20], b = new float[20];
        rng.FillNormal(a);
        rng.FillNormal(b);
        ShouldBeClose(Run(new IsoCtsMerge(new MergeOptions { CommonSpaceFraction = 1 }), [4, 5], a, b), Run(new IsoCMerge(), [4, 5], a, b), 1e-4f);
        var cts = MatrixMath.FromRowMajor(Run(new IsoCtsMerge(new MergeOptions { CommonSpaceFraction = 0.5 }), [4, 5], a, b), 4, 5);
        var s = cts.Svd().S;
        (s.Maximum() - s.Minimum()).ShouldBeLessThan(1e-4); // isotropic
    }

    [Fact]
    public void Tsv_TwoRankOneTasks_PolarOrthogonalizedClosedForm()
    {
        // τ_1 = 3·e1e1ᵀ, τ_2 = 2·uuᵀ, u = (1, 1)/√2; T = 2, r = 2: one component each. Stacked U = V = [e1 u];
        // its polar factor is U (UᵀU)^(-1/2), with UᵀU = [[1, c], [c, 1]], c = 1/√2, eigenvectors (1, ±1)/√2.
        double c = 1 / Math.Sqrt(2);
        float[] t1 = [3f, 0, 0, 0];
        float[] t2 = [1f, 1, 1, 1]; // 2·uuᵀ
        var u = Matrix<double>.Build.DenseOfArray(new[,] { { 1, c }, { 0, c } });
        var q = Matrix<double>.Build.DenseOfArray(new[,] { { c, c }, { c, -c } });
        var inverseRoot = q * Matrix<double>.Build.DiagonalOfDiagonalArray([1 / Math.Sqrt(1 + c), 1 / Math.Sqrt(1 - c)]) * q.Transpose();
        var polar = u * inverseRoot;
        var expected = polar * Matrix<double>.Build.DiagonalOfDiagonalArray([3, 2]) * polar.Transpose();
        var actual = Run(new TsvMerge(), [2, 2], t1, t2);
        ShouldBeClose(actual, [.. expected.ToRowMajorArray().Select(v => (float)v)]);
        ShouldBeClose(Run(new TsvMerge(), [2], [1f, 2], [3f, 4]), [2f, 3]);
    }

    // One KFAC block "layer" over a 1-input Linear with bias (A is 2×2 over [a; 1]) and one dense block "ln.weight" (2).
    internal static TaskFactors Factors(double[] a, long count, double[] diagonal, double[] dense, string fingerprint = "fp")
    {
        var spec = new KroneckerBlockSpec("layer", [new KroneckerMember("layer.weight", "layer.bias", 1)], 1);
        var block = new KroneckerBlock(spec, a, [1.0], count, diagonal);
        var ln = new DenseBlock(new DenseBlockSpec("ln.weight", 2), dense, count);
        return new TaskFactors([block], [ln], count, new Dictionary<string, string> { [ModelFingerprint.MetadataKey] = fingerprint });
    }

    internal static TaskVector Vector(float w, float b, float[] ln, string fingerprint = "fp") => new(new Dictionary<string, Tensor>
    {
        ["layer.weight"] = new Tensor([w], 1, 1),
        ["layer.bias"] = new Tensor([b], 1),
        ["ln.weight"] = new Tensor(ln, 2),
    }, new Dictionary<string, string> { [ModelFingerprint.MetadataKey] = fingerprint });

    [Fact]
    public void RegMean_OneLinearWithBias_SolvesJointlyWithMeanGrams()
    {
        // A_1 = [[2,0],[0,2]]/2 = I, A_2 = [[4,2],[2,2]]/2 = [[2,1],[1,1]]; [w|b]_1 = [1|0], [w|b]_2 = [0|1].
        // ΣA = [[3,1],[1,2]], Σ [w|b]_t A_t = [2, 1] → [w|b]* = [2, 1]·(1/5)[[2,−1],[−1,3]] = [0.6, 0.2]. LN: mean.
        var factors = new[] { Factors([2, 0, 0, 2], 2, [0, 0], [1, 0, 0, 1]), Factors([4, 2, 2, 2], 2, [0, 0], [1, 0, 0, 1]) };
        var merged = TaskVectorMerge.Merge([Vector(1, 0, [1, 2]), Vector(0, 1, [3, 4])], new RegMeanMerge(new MergeOptions { Factors = factors, NonDiagonalRatio = 1 }));
        merged.Tensors["layer.weight"][0].ShouldBe(0.6f, 1e-6f);
        merged.Tensors["layer.bias"][0].ShouldBe(0.2f, 1e-6f);
        merged.Tensors["ln.weight"].Span.ToArray().ShouldBe([2f, 3]);
        merged.Metadata[TaskVectorMerge.MethodKey].ShouldBe("regmean");
    }

    [Fact]
    public void RegMean_BiasNotInTaskVectors_HeldAtZero_UsesInputColumnOnly()
    {
        // Without b: w* = Σ A_t[0,0] w_t / Σ A_t[0,0] = (1·1 + 2·0)/3.
        var factors = new[] { Factors([2, 0, 0, 2], 2, [0, 0], [1, 0, 0, 1]), Factors([4, 2, 2, 2], 2, [0, 0], [1, 0, 0, 1]) };
        var skip = new TaskVectorCombineOptions { Skip = new HashSet<string> { "layer.bias" } };
        var merged = TaskVectorMerge.Merge([Vector(1, 0, [1, 2]), Vector(0, 1, [3, 4])], new RegMeanMerge(new MergeOptions { Factors = factors }), skip);
        merged.Tensors["layer.weight"][0].ShouldBe(1f / 3, 1e-6f);
        merged.Tensors.ContainsKey("layer.bias").ShouldBeFalse();
    }

    [Fact]
    public void RegMeanAndFisher_FactorsOfAnotherBaseOrMissing_Throw()
    {
        var vectors = new[] { Vector(1, 0, [1, 2]), Vector(0, 1, [3, 4]) };
        var foreign = new[] { Factors([2, 0, 0, 2], 2, [0, 0], [1, 0, 0, 1]), Factors([4, 2, 2, 2], 2, [0, 0], [1, 0, 0, 1], fingerprint: "other") };
        Should.Throw<ArgumentException>(() => TaskVectorMerge.Merge(vectors, new RegMeanMerge(new MergeOptions { Factors = foreign }))).Message.ShouldContain("another base");
        Should.Throw<ArgumentException>(() => TaskVectorMerge.Merge(vectors, new FisherMerge(new MergeOptions()))).Message.ShouldContain("Factors");
        Should.Throw<ArgumentException>(() => TaskVectorMerge.Merge(vectors, new FisherMerge(new MergeOptions { Factors = [foreign[0]] }))).Message.ShouldContain("1 factor sets for 2");
    }

    [Fact]
    public void Fisher_DiagonalGgnWeights_HandComputed()
    {
        // F_1 = [2, 0]/2 = [1, 0] (weight, bias), F_2 = [6, 2]/2 = [3, 1]; LN diag: F_1 = [1, 0], F_2 = [0, 0]... /2.
        // w* = (1·1 + 3·0)/(1 + 3) = 0.25; b* = (0·0 + 1·1)/(0 + 1) = 1; ln: (0.5·1 + 0·3)/0.5 = 1, entry 2 (no Fisher) → mean 3.
        var factors = new[] { Factors([1, 0, 0, 1], 2, [2, 0], [1, 0, 0, 0]), Factors([1, 0, 0, 1], 2, [6, 2], [0, 0, 0, 0]) };
        var merged = TaskVectorMerge.Merge([Vector(1, 0, [1, 2]), Vector(0, 1, [3, 4])], new FisherMerge(new MergeOptions { Factors = factors }));
        merged.Tensors["layer.weight"][0].ShouldBe(0.25f, 1e-5f);
        merged.Tensors["layer.bias"][0].ShouldBe(1f, 1e-5f);
        merged.Tensors["ln.weight"].Span.ToArray()[0].ShouldBe(1f, 1e-5f);
        merged.Tensors["ln.weight"].Span.ToArray()[1].ShouldBe(3f, 1e-5f);
    }

    [Fact]
    public void Registry_EveryNameCreatesItsMethod_UnknownNameListsKnownOnes()
    {
        string[] expected = ["consensus", "dare_linear", "dare_ties", "fisher", "iso_c", "iso_cts", "regmean", "tall", "task_arithmetic", "ties", "tsv"];
        MergeMethods.Names.ShouldBe(expected);
        foreach (var name in expected) MergeMethods.Create(name).Name.ShouldBe(name);
        Should.Throw<ArgumentException>(() => MergeMethods.Create("slerp")).Message.ShouldContain("task_arithmetic");
    }

    [Fact]
    public void Options_InvalidValues_ThrowWhereSet()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new MergeOptions { Density = 0 });
        Should.Throw<ArgumentOutOfRangeException>(() => new MergeOptions { Density = 1.5 });
        Should.Throw<ArgumentOutOfRangeException>(() => new MergeOptions { Density = double.NaN });
        Should.Throw<ArgumentOutOfRangeException>(() => new MergeOptions { DropRate = 1 });
        Should.Throw<ArgumentOutOfRangeException>(() => new MergeOptions { DropRate = -0.1 });
        Should.Throw<ArgumentOutOfRangeException>(() => new MergeOptions { Lambda = double.PositiveInfinity });
        Should.Throw<ArgumentOutOfRangeException>(() => new MergeOptions { MinTasks = -1 });
        Should.Throw<ArgumentOutOfRangeException>(() => new MergeOptions { CommonSpaceFraction = 1.01 });
        Should.Throw<ArgumentOutOfRangeException>(() => new MergeOptions { NonDiagonalRatio = -1 });
        Should.Throw<ArgumentOutOfRangeException>(() => new MergeOptions { FisherFloor = 0 });
    }
}
