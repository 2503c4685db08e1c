// Tests of ManagedGemm: agreement with ReferenceGemm on odd sizes, all transposes, α ≠ 1,
// β ∈ {0, 0.5} and padded leading dimensions, for every micro-kernel this CPU runs and past every packing block;
// the 12×32 Vector512 kernel bit-identical to the 6×16 Vector256 FMA kernel, and reading A in place (transposed or
// not) bit-identical to reading it packed; the first-use kernel choice;
// BLAS edge cases; bit-identical results whatever the thread count; safety when nested in a parallel
// loop or called concurrently; zero allocation in steady state; argument validation.
using TaskVectors.Blas;
using TaskVectors.Tensors;
using TaskVectors.Threading;

namespace TaskVectors.Tests.Blas;

public class ManagedGemmTests
{
    private static readonly ManagedGemm SingleThreaded = new(singleThreaded: true, ManagedGemm.BestKernel);

    // Kernel kinds travel as names: GemmKernelKind is internal and theory data must be public. Every kernel this
    // CPU runs is checked; Separate and Scalar run on any x64 machine with AVX.
    public static TheoryData<string, int, int, int, bool, bool> KernelCases()
    {
        var data = new TheoryData<string, int, int, int, bool, bool>();
        foreach (var kind in Enum.GetValues<GemmKernelKind>().Where(ManagedGemm.IsSupported).Select(k => k.ToString()))
            foreach (var (m, n, k) in new[] { (7, 7, 7), (65, 33, 257), (33, 257, 65), (25, 70, 300) })
                foreach (var ta in GemmCheck.TransposeFlags)
                    foreach (var tb in GemmCheck.TransposeFlags)
                        data.Add(kind, m, n, k, ta, tb);
        return data;
    }

    [Theory]
    [MemberData(nameof(GemmCheck.OddShapesAllTransposes), MemberType = typeof(GemmCheck))]
    public void Sgemm_OddSizesAllTransposes_MatchesReference(int m, int n, int k, bool transA, bool transB) =>
        GemmCheck.AgreesWithReference(ManagedGemm.Instance, m, n, k, GemmCheck.Op(transA), GemmCheck.Op(transB));

    [Theory]
    [MemberData(nameof(KernelCases))]
    public void Sgemm_EachKernel_MatchesReference(string kernel, int m, int n, int k, bool transA, bool transB) =>
        GemmCheck.AgreesWithReference(new ManagedGemm(singleThreaded: false, Enum.Parse<GemmKernelKind>(kernel)), m, n, k, GemmCheck.Op(transA), GemmCheck.Op(transB));

    [Fact]
    public void KernelCases_CoverTheVector256Kernels() =>
        KernelCases().Select(row => (string)row[0]).Distinct().ShouldContain(nameof(GemmKernelKind.Separate));

    [Vector512Theory]
    [InlineData(1, 1, 1, false, false)]
    [InlineData(13, 33, 7, true, false)] // one past a 12×32 tile each way
    [InlineData(197, 3072, 768, false, true)] // ViT-B fc1, three k blocks
    [InlineData(197, 300, 513, false, false)]
    [InlineData(3079, 40, 300, true, true)] // past the packed-A row block
    [InlineData(50, 4111, 260, true, true)] // past the packed-B column block
    public void Sgemm_Vector512Kernel_BitIdenticalToVector256Fma(int m, int n, int k, bool transA, bool transB)
    {
        var wide = new ManagedGemm(singleThreaded: false, GemmKernelKind.Fused512);
        var narrow = new ManagedGemm(singleThreaded: true, GemmKernelKind.Fused);
        var p = new GemmProblem(m, n, k, GemmCheck.Op(transA), GemmCheck.Op(transB), pad: 3, seed: 17);
        foreach (float beta in new[] { 0f, 1f, 0.5f })
        {
            var expected = p.FreshC(beta);
            narrow.Sgemm(GemmCheck.Op(transA), GemmCheck.Op(transB), m, n, k, GemmCheck.Alpha, p.A, p.Lda, p.B, p.Ldb, beta, expected, p.Ldc);
            var actual = p.FreshC(beta);
            wide.Sgemm(GemmCheck.Op(transA), GemmCheck.Op(transB), m, n, k, GemmCheck.Alpha, p.A, p.Lda, p.B, p.Ldb, beta, actual, p.Ldc);
            int differing = actual.Zip(expected).Count(x => BitConverter.SingleToInt32Bits(x.First) != BitConverter.SingleToInt32Bits(x.Second));
            differing.ShouldBe(0, $"{m}×{n}×{k} β={beta}: {differing} of {actual.Length} elements differ between the 12×32 and 6×16 kernels");
        }
    }

    [Vector512Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(13, 33, 7, 1)] // one row past a 12-row tile: the edge tile's missing rows
    [InlineData(2048, 384, 384, 1)] // MiniLM q/k/v
    [InlineData(197, 300, 600, 1)] // three k blocks, a ragged last tile
    [InlineData(3100, 40, 1500, 2)] // past McOuter rows and the packed-A budget when packed
    [InlineData(50, 4111, 260, 1)] // past the packed-B column block
    public void Sgemm_Vector512_AReadInPlace_BitIdenticalToPacked(int m, int n, int k, int threads)
    {
        var inPlace = new ManagedGemm(singleThreaded: threads == 1, GemmKernelKind.Fused512);
        var packed = new ManagedGemm(singleThreaded: true, GemmKernelKind.Fused512, packA: true);
        var bias = new float[n];
        new Rng(3).FillNormal(bias);
        foreach (var (transA, transB) in new[] { (Transpose.None, Transpose.None), (Transpose.None, Transpose.Transpose), (Transpose.Transpose, Transpose.None), (Transpose.Transpose, Transpose.Transpose) })
        {
            var p = new GemmProblem(m, n, k, transA, transB, pad: 5, seed: (ulong)(m * 7 + k));
            foreach (float beta in new[] { 0f, 1f, 0.5f })
            {
                var expected = p.FreshC(beta);
                packed.Sgemm(transA, transB, m, n, k, GemmCheck.Alpha, p.A, p.Lda, p.B, p.Ldb, beta, expected, p.Ldc);
                var actual = p.FreshC(beta);
                inPlace.Sgemm(transA, transB, m, n, k, GemmCheck.Alpha, p.A, p.Lda, p.B, p.Ldb, beta, actual, p.Ldc);
                ArrayAssert.Equal(actual, expected, $"{m}×{n}×{k} {transA}/{transB} β={beta}: A read in place vs packed");
            }
            var expectedBias = p.FreshC(0f);
            packed.SgemmBias(transA, transB, m, n, k, GemmCheck.Alpha, p.A, p.Lda, p.B, p.Ldb, bias, expectedBias, p.Ldc);
            var actualBias = p.FreshC(0f);
            inPlace.SgemmBias(transA, transB, m, n, k, GemmCheck.Alpha, p.A, p.Lda, p.B, p.Ldb, bias, actualBias, p.Ldc);
            ArrayAssert.Equal(actualBias, expectedBias, $"{m}×{n}×{k} {transA}/{transB} with bias: A read in place vs packed");
        }
    }

    [Vector512Theory]
    [InlineData(37, 300)]
    [InlineData(200, 1100)] // several k blocks, edge tiles on the diagonal
    public void SsyrkLower_Vector512_AReadInPlace_BitIdenticalToPacked(int n, int k)
    {
        var a = new float[k * (n + 3)];
        new Rng(9).FillNormal(a);
        var expected = new float[n * n];
        new ManagedGemm(singleThreaded: true, GemmKernelKind.Fused512, packA: true).SsyrkLower(n, k, 0.5f, a, n + 3, 0f, expected, n);
        var actual = new float[n * n];
        new ManagedGemm(singleThreaded: false, GemmKernelKind.Fused512).SsyrkLower(n, k, 0.5f, a, n + 3, 0f, actual, n);
        for (int i = 0; i < n; i++)
            ArrayAssert.Equal(actual.AsSpan(i * n, i + 1).ToArray(), expected.AsSpan(i * n, i + 1).ToArray(), $"row {i} of the lower triangle");
    }

    [Fact]
    public void BestKernel_RunsHere_AndFollowsTheFirstUseMeasurement()
    {
        var best = ManagedGemm.BestKernel;
        ManagedGemm.IsSupported(best).ShouldBeTrue();
        ManagedGemm.Instance.Kernel.ShouldBe(best);
        if (ManagedGemm.IsSupported(GemmKernelKind.Fused512))
        {
            double speedup = GemmKernelChoice.MeasuredSpeedup;
            double.IsFinite(speedup).ShouldBeTrue();
            speedup.ShouldBeGreaterThan(0);
            best.ShouldBe(speedup >= 1 ? GemmKernelKind.Fused512 : GemmKernelKind.Fused);
            (ManagedGemm.Instance.TileRows, ManagedGemm.Instance.TileColumns).ShouldBe(best == GemmKernelKind.Fused512 ? (12, 32) : (6, 16));
        }
        else
        {
            double.IsNaN(GemmKernelChoice.MeasuredSpeedup).ShouldBeTrue();
            best.ShouldNotBe(GemmKernelKind.Fused512);
        }
    }

    [Theory]
    [InlineData(3079, 9, 300, false, false)] // m past the packed-A row block
    [InlineData(3079, 9, 300, true, true)]
    [InlineData(7, 4111, 300, false, true)] // n past the packed-B column block
    [InlineData(7, 4111, 300, true, false)]
    [InlineData(40, 50, 1024, true, true)] // four full-depth k blocks
    public void Sgemm_BeyondBlockSizes_MatchesReference(int m, int n, int k, bool transA, bool transB) =>
        GemmCheck.AgreesWithReference(ManagedGemm.Instance, m, n, k, GemmCheck.Op(transA), GemmCheck.Op(transB), pad: 1);

    [Fact]
    public void Name_IsManaged() => ManagedGemm.Instance.Name.ShouldBe("managed");

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Sgemm_AnyThreadCount_BitIdentical(bool transA, bool transB)
    {
        const int m = 257, n = 300, k = 513; // several row, column and k blocks; above the parallel threshold
        var p = new GemmProblem(m, n, k, GemmCheck.Op(transA), GemmCheck.Op(transB), pad: 2, seed: 11);
        foreach (float beta in new[] { 0f, 0.5f })
        {
            var parallel = p.FreshC(beta);
            ManagedGemm.Instance.Sgemm(GemmCheck.Op(transA), GemmCheck.Op(transB), m, n, k, GemmCheck.Alpha, p.A, p.Lda, p.B, p.Ldb, beta, parallel, p.Ldc);
            var serial = p.FreshC(beta);
            SingleThreaded.Sgemm(GemmCheck.Op(transA), GemmCheck.Op(transB), m, n, k, GemmCheck.Alpha, p.A, p.Lda, p.B, p.Ldb, beta, serial, p.Ldc);
            ArrayAssert.Equal(parallel, serial, $"β={beta}: results differ between the parallel and the single-threaded run");
        }
    }

    private struct NestedGemmBody(GemmProblem problem, float[][] results) : ILoopBody
    {
        public readonly void Invoke(int index) =>
            ManagedGemm.Instance.Sgemm(Transpose.None, Transpose.Transpose, 130, 140, 150, GemmCheck.Alpha,
                problem.A, problem.Lda, problem.B, problem.Ldb, 0f, results[index], problem.Ldc);
    }

    [Fact]
    public void Sgemm_InsideParallelLoopBody_MatchesSerial()
    {
        var p = new GemmProblem(130, 140, 150, Transpose.None, Transpose.Transpose, pad: 0, seed: 5);
        var expected = p.FreshC(0f);
        SingleThreaded.Sgemm(Transpose.None, Transpose.Transpose, 130, 140, 150, GemmCheck.Alpha, p.A, p.Lda, p.B, p.Ldb, 0f, expected, p.Ldc);
        var results = Enumerable.Range(0, 6).Select(_ => p.FreshC(0f)).ToArray();
        ParallelLoop.For(results.Length, new NestedGemmBody(p, results));
        foreach (var c in results) ArrayAssert.Equal(c, expected);
    }

    [Fact]
    public void Sgemm_ConcurrentCallers_MatchSerial()
    {
        var p = new GemmProblem(200, 150, 300, Transpose.Transpose, Transpose.None, pad: 0, seed: 6);
        var expected = p.FreshC(0f);
        SingleThreaded.Sgemm(Transpose.Transpose, Transpose.None, 200, 150, 300, GemmCheck.Alpha, p.A, p.Lda, p.B, p.Ldb, 0f, expected, p.Ldc);
        var results = new float[4][];
        var threads = Enumerable.Range(0, results.Length).Select(t => new Thread(() =>
        {
            for (int repeat = 0; repeat < 5; repeat++)
            {
                var c = p.FreshC(0f);
                ManagedGemm.Instance.Sgemm(Transpose.Transpose, Transpose.None, 200, 150, 300, GemmCheck.Alpha, p.A, p.Lda, p.B, p.Ldb, 0f, c, p.Ldc);
                results[t] = c;
            }
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        foreach (var c in results) ArrayAssert.Equal(c, expected);
    }

    [Theory]
    [InlineData(128, 128, 128)] // parallel path
    [InlineData(20, 30, 40)] // below the parallel threshold
    public void Sgemm_SteadyState_AllocatesNothing(int m, int n, int k)
    {
        var a = new float[m * k];
        var b = new float[k * n];
        var c = new float[m * n];
        var gemm = ManagedGemm.Instance;
        gemm.Sgemm(Transpose.None, Transpose.Transpose, m, n, k, 1f, a, k, b, k, 0f, c, n);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) gemm.Sgemm(Transpose.None, Transpose.Transpose, m, n, k, 1f, a, k, b, k, 0.5f, c, n);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        allocated.ShouldBe(0);
    }

    [Fact]
    public void Sgemm_KZero_ScalesCByBetaAndZeroesWhenBetaZero()
    {
        var c = new[] { 1f, 2f, 99f, 3f, 4f, 99f };
        ManagedGemm.Instance.Sgemm(Transpose.None, Transpose.None, 2, 2, 0, 1f, [], 1, [], 2, 0.5f, c, 3);
        c.ShouldBe([0.5f, 1f, 99f, 1.5f, 2f, 99f]);
        c[0] = float.NaN;
        ManagedGemm.Instance.Sgemm(Transpose.None, Transpose.None, 2, 2, 0, 1f, [], 1, [], 2, 0f, c, 3);
        c.ShouldBe([0f, 0f, 99f, 0f, 0f, 99f]);
    }

    [Fact]
    public void Sgemm_AlphaZero_ScalesCWithoutReadingAB()
    {
        var a = new[] { float.NaN, float.NaN, float.NaN, float.NaN };
        var c = new[] { 2f, 4f, 6f, 8f };
        ManagedGemm.Instance.Sgemm(Transpose.None, Transpose.None, 2, 2, 2, 0f, a, 2, a, 2, 0.5f, c, 2);
        c.ShouldBe([1f, 2f, 3f, 4f]);
    }

    [Fact]
    public void Sgemm_EmptyMOrN_LeavesCUntouched()
    {
        var c = new[] { float.NaN, 7f };
        ManagedGemm.Instance.Sgemm(Transpose.None, Transpose.None, 0, 2, 3, 1f, [], 3, new float[6], 2, 0f, c, 2);
        ManagedGemm.Instance.Sgemm(Transpose.None, Transpose.None, 1, 0, 3, 1f, new float[3], 3, [], 1, 0f, c, 2);
        float.IsNaN(c[0]).ShouldBeTrue();
        c[1].ShouldBe(7f);
    }

    [Theory]
    [InlineData("m", -1, 2, 2, 2, 2, 2, 4, 4, 4)]
    [InlineData("n", 2, -1, 2, 2, 2, 2, 4, 4, 4)]
    [InlineData("k", 2, 2, -1, 2, 2, 2, 4, 4, 4)]
    [InlineData("lda", 2, 2, 2, 1, 2, 2, 4, 4, 4)]
    [InlineData("ldb", 2, 2, 2, 2, 1, 2, 4, 4, 4)]
    [InlineData("ldc", 2, 2, 2, 2, 2, 1, 4, 4, 4)]
    [InlineData("a", 2, 2, 2, 2, 2, 2, 3, 4, 4)]
    [InlineData("b", 2, 2, 2, 2, 2, 2, 4, 3, 4)]
    [InlineData("c", 2, 2, 2, 2, 2, 2, 4, 4, 3)]
    public void Sgemm_InvalidArgument_ThrowsNamingIt(string name, int m, int n, int k, int lda, int ldb, int ldc, int aLength, int bLength, int cLength)
    {
        var e = Should.Throw<ArgumentException>(() => ManagedGemm.Instance.Sgemm(Transpose.None, Transpose.None, m, n, k,
            1f, new float[aLength], lda, new float[bLength], ldb, 0f, new float[cLength], ldc));
        e.ParamName.ShouldBe(name);
    }
}
