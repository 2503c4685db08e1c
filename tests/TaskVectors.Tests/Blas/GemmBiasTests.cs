// Tests of IGemm.SgemmBias (C = α·op(A)·op(B) + bias broadcast over rows) and GemmBias.Broadcast: the managed
// fused epilogue bit-identical to a broadcast followed by Sgemm with β = 1 (under every micro-kernel the CPU runs)
// and within the GEMM tolerance of the reference, for every transpose, past the k, row and column blocks and past PackedABudget (more than one
// k pass); results independent of the thread count; the provider default (OpenBLAS) likewise; k = 0 and
// α = 0 give the bias; the broadcast is exact; steady state allocates nothing.
using TaskVectors.Blas;
using TaskVectors.Tensors;
using TaskVectors.Threading;

namespace TaskVectors.Tests.Blas;

public class GemmBiasTests
{
    public static TheoryData<int, int, int, bool, bool> Shapes()
    {
        var data = new TheoryData<int, int, int, bool, bool>();
        foreach (var (m, n, k) in new[] { (1, 1, 1), (7, 33, 5), (65, 33, 257), (257, 70, 600), (3079, 40, 30) })
            foreach (var ta in GemmCheck.TransposeFlags)
                foreach (var tb in GemmCheck.TransposeFlags)
                    data.Add(m, n, k, ta, tb);
        // m·k above PackedABudget: two k passes, so the later pass adds to the first one's sums.
        data.Add(2000, 24, 2600, false, true);
        data.Add(2000, 24, 2600, true, false);
        return data;
    }

    private static float[] Bias(int n, ulong seed)
    {
        var bias = new float[n];
        new Rng(seed).FillNormal(bias, 0f, 2f);
        return bias;
    }

    // C with every logical row set to the bias (padding untouched): the β = 1 operand of the unfused form.
    private static float[] Broadcasted(GemmProblem p, float[] bias, int m)
    {
        var c = p.FreshC(1f);
        for (int i = 0; i < m; i++) bias.CopyTo(c.AsSpan(i * p.Ldc, bias.Length));
        return c;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void SgemmBias_Managed_BitIdenticalToBroadcastThenSgemm_AndMatchesReference(int m, int n, int k, bool transA, bool transB)
    {
        var (ta, tb) = (GemmCheck.Op(transA), GemmCheck.Op(transB));
        var p = new GemmProblem(m, n, k, ta, tb, pad: 3, seed: (ulong)(m + 7 * n + 31 * k));
        var bias = Bias(n, 3);
        var fused = p.FreshC(0f); // NaN where C would be read before the bias is written
        ManagedGemm.Instance.SgemmBias(ta, tb, m, n, k, GemmCheck.Alpha, p.A, p.Lda, p.B, p.Ldb, bias, fused, p.Ldc);
        var unfused = Broadcasted(p, bias, m);
        ManagedGemm.Instance.Sgemm(ta, tb, m, n, k, GemmCheck.Alpha, p.A, p.Lda, p.B, p.Ldb, 1f, unfused, p.Ldc);
        ArrayAssert.Equal(fused, unfused, $"m={m} n={n} k={k} {ta}/{tb}: fused bias differs from broadcast + β = 1");
        if ((long)m * n * k > 20_000_000) return; // the naive twin is too slow there; the bit-identity above covers it
        var reference = Broadcasted(p, bias, m);
        ReferenceGemm.Instance.Sgemm(ta, tb, m, n, k, GemmCheck.Alpha, p.A, p.Lda, p.B, p.Ldb, 1f, reference, p.Ldc);
        AssertNear(p, reference, fused, bias, m, n, k, $"m={m} n={n} k={k} {ta}/{tb}");
    }

    [Theory]
    [InlineData(nameof(GemmKernelKind.Fused512))]
    [InlineData(nameof(GemmKernelKind.Fused))]
    [InlineData(nameof(GemmKernelKind.Separate))]
    [InlineData(nameof(GemmKernelKind.Scalar))]
    public void SgemmBias_EveryKernel_BitIdenticalToBroadcastThenSgemm(string kernel)
    {
        var kind = Enum.Parse<GemmKernelKind>(kernel);
        if (!ManagedGemm.IsSupported(kind)) return; // this CPU lacks the instructions; other machines run it
        var gemm = new ManagedGemm(singleThreaded: false, kind);
        // Edge tiles in both directions (m, n not multiples of any tile) and two k blocks.
        foreach (var (m, n, k) in new[] { (131, 75, 40), (50, 37, 700) })
        {
            var p = new GemmProblem(m, n, k, Transpose.None, Transpose.Transpose, pad: 2, seed: (ulong)(m + n));
            var bias = Bias(n, 6);
            var fused = p.FreshC(0f);
            gemm.SgemmBias(Transpose.None, Transpose.Transpose, m, n, k, GemmCheck.Alpha, p.A, p.Lda, p.B, p.Ldb, bias, fused, p.Ldc);
            var unfused = Broadcasted(p, bias, m);
            gemm.Sgemm(Transpose.None, Transpose.Transpose, m, n, k, GemmCheck.Alpha, p.A, p.Lda, p.B, p.Ldb, 1f, unfused, p.Ldc);
            ArrayAssert.Equal(fused, unfused, $"{kernel} m={m} n={n} k={k}: fused bias differs from broadcast + β = 1");
        }
    }

    [Theory]
    [InlineData(2000, 24, 2600)] // two k passes
    [InlineData(257, 300, 513)]
    [InlineData(3100, 20, 1500)] // rows past McOuter with several k blocks
    public void Sgemm_ManyKBlocks_BeyondPackedABudget_MatchesReferenceAndAnyThreadCount(int m, int n, int k)
    {
        var p = new GemmProblem(m, n, k, Transpose.Transpose, Transpose.None, pad: 1, seed: 21);
        var all = p.FreshC(0.5f);
        ManagedGemm.Instance.Sgemm(Transpose.Transpose, Transpose.None, m, n, k, GemmCheck.Alpha, p.A, p.Lda, p.B, p.Ldb, 0.5f, all, p.Ldc);
        var one = p.FreshC(0.5f);
        new ManagedGemm(singleThreaded: true, ManagedGemm.BestKernel).Sgemm(Transpose.Transpose, Transpose.None, m, n, k, GemmCheck.Alpha, p.A, p.Lda, p.B, p.Ldb, 0.5f, one, p.Ldc);
        ArrayAssert.Equal(all, one, "parallel vs single-threaded");
        var reference = p.FreshC(0.5f);
        ReferenceGemm.Instance.Sgemm(Transpose.Transpose, Transpose.None, m, n, k, GemmCheck.Alpha, p.A, p.Lda, p.B, p.Ldb, 0.5f, reference, p.Ldc);
        p.Compare(reference, all, 0.5f, $"m={m} n={n} k={k}");
    }

    [Fact]
    public void SgemmBias_OneTwoAllThreads_BitIdentical()
    {
        const int m = 300, n = 200, k = 700;
        var p = new GemmProblem(m, n, k, Transpose.None, Transpose.Transpose, pad: 0, seed: 8);
        var bias = Bias(n, 9);
        float[]? first = null;
        foreach (int threads in new[] { 1, 2, int.MaxValue })
        {
            ParallelLoop.ThreadLimit = threads;
            try
            {
                var c = p.FreshC(0f);
                ManagedGemm.Instance.SgemmBias(Transpose.None, Transpose.Transpose, m, n, k, 1f, p.A, p.Lda, p.B, p.Ldb, bias, c, p.Ldc);
                if (first is null) first = c;
                else ArrayAssert.Equal(c, first, $"{threads} threads vs 1");
            }
            finally
            {
                ParallelLoop.ThreadLimit = int.MaxValue;
            }
        }
    }

    [OpenBlasFact]
    public void SgemmBias_ProviderDefault_BitIdenticalToBroadcastThenSgemm()
    {
        OpenBlasGemm.TryLoad(out var openBlas, out _).ShouldBeTrue();
        IGemm gemm = openBlas!;
        const int m = 130, n = 70, k = 90;
        var p = new GemmProblem(m, n, k, Transpose.None, Transpose.Transpose, pad: 2, seed: 4);
        var bias = Bias(n, 5);
        var fused = p.FreshC(0f);
        gemm.SgemmBias(Transpose.None, Transpose.Transpose, m, n, k, GemmCheck.Alpha, p.A, p.Lda, p.B, p.Ldb, bias, fused, p.Ldc);
        var unfused = Broadcasted(p, bias, m);
        gemm.Sgemm(Transpose.None, Transpose.Transpose, m, n, k, GemmCheck.Alpha, p.A, p.Lda, p.B, p.Ldb, 1f, unfused, p.Ldc);
        ArrayAssert.Equal(fused, unfused);
    }

    [Theory]
    [InlineData(0, 1f)]
    [InlineData(5, 0f)]
    public void SgemmBias_EmptyProductOrAlphaZero_GivesTheBias(int k, float alpha)
    {
        const int m = 4, n = 3;
        float[] bias = [1f, -2f, 0.5f];
        var c = Enumerable.Repeat(float.NaN, m * n).ToArray();
        var a = Enumerable.Repeat(float.NaN, m * Math.Max(k, 1)).ToArray();
        var b = Enumerable.Repeat(float.NaN, n * Math.Max(k, 1)).ToArray();
        ManagedGemm.Instance.SgemmBias(Transpose.None, Transpose.Transpose, m, n, k, alpha, a, Math.Max(k, 1), b, Math.Max(k, 1), bias, c, n);
        for (int i = 0; i < m; i++) c.AsSpan(i * n, n).ToArray().ShouldBe(bias);
    }

    [Fact]
    public void SgemmBias_BiasLengthMismatch_Throws() =>
        Should.Throw<ArgumentException>(() => ManagedGemm.Instance.SgemmBias(Transpose.None, Transpose.None, 2, 3, 1, 1f,
            new float[2], 1, new float[3], 3, new float[2], new float[6], 3)).ParamName.ShouldBe("bias");

    [Fact]
    public void Broadcast_PaddedRows_CopiesTheBiasExactlyAndLeavesPadding()
    {
        const int m = 5000, n = 37, ldc = 40; // several parallel chunks
        var bias = Bias(n, 6);
        var c = Enumerable.Repeat(-7f, (m - 1) * ldc + n).ToArray();
        GemmBias.Broadcast(bias, m, n, c, ldc);
        for (int i = 0; i < m; i++)
        {
            if (!c.AsSpan(i * ldc, n).SequenceEqual(bias)) Assert.Fail($"row {i} is not the bias");
            for (int j = n; j < ldc && i * ldc + j < c.Length; j++) c[i * ldc + j].ShouldBe(-7f, $"padding [{i},{j}]");
        }
    }

    [Fact]
    public void SgemmBias_SteadyState_AllocatesNothing()
    {
        const int m = 128, n = 96, k = 300;
        var a = new float[m * k];
        var b = new float[n * k];
        var c = new float[m * n];
        var bias = new float[n];
        ManagedGemm.Instance.SgemmBias(Transpose.None, Transpose.Transpose, m, n, k, 1f, a, k, b, k, bias, c, n);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) ManagedGemm.Instance.SgemmBias(Transpose.None, Transpose.Transpose, m, n, k, 1f, a, k, b, k, bias, c, n);
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);
    }

    // The GemmCheck tolerance with the bias as the β = 1 term: 2e-6·√k·(|α|·‖a_i‖·‖b_j‖ + |bias_j|) + 1e-7.
    private static void AssertNear(GemmProblem p, float[] expected, float[] actual, float[] bias, int m, int n, int k, string what)
    {
        var rowNorm = new double[m];
        var colNorm = new double[n];
        for (int i = 0; i < m; i++)
            for (int q = 0; q < k; q++) rowNorm[i] += (double)p.OpA(i, q) * p.OpA(i, q);
        for (int j = 0; j < n; j++)
            for (int q = 0; q < k; q++) colNorm[j] += (double)p.OpB(q, j) * p.OpB(q, j);
        ArrayAssert.Within(p.Logical(actual), p.Logical(expected), (at, _) =>
        {
            int i = at / n, j = at % n;
            return 2e-6 * Math.Sqrt(k) * (Math.Abs(GemmCheck.Alpha) * Math.Sqrt(rowNorm[i] * colNorm[j]) + Math.Abs(bias[j])) + 1e-7;
        }, what, [m, n]);
    }
}
