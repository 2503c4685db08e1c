// Tests of IGemm.SsyrkLower for every provider against the naive double-precision twin: odd sizes across
// panel boundaries and OpenBLAS's 2- and 4-band splits, α ≠ 1, β ∈ {0 (NaN in C ignored), 0.5}, padded leading dimensions, k = 0, and argument
// validation naming the argument at fault. Only the lower triangle is compared (the upper is unspecified). The managed
// SYRK also equals its own full GEMM bit for bit on the lower triangle and leaves the tiles above the diagonal alone.
using TaskVectors.Blas;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Blas;

public class SyrkTests
{
    public static TheoryData<string, int, int, float> Cases()
    {
        var data = new TheoryData<string, int, int, float>();
        foreach (string provider in new[] { "managed", "reference", "openblas" })
            foreach (var (n, k) in new[] { (1, 1), (7, 3), (96, 5), (97, 33), (200, 64), (33, 0), (300, 400), (517, 260) })
                foreach (float beta in new[] { 0f, 0.5f })
                    data.Add(provider, n, k, beta);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SsyrkLower_MatchesNaiveTwinOnTheLowerTriangle(string provider, int n, int k, float beta)
    {
        if (provider == "openblas" && !OpenBlasGemm.TryLoad(out _, out _)) return; // covered by the other providers
        var gemm = Gemm.Select(provider);
        int lda = n + 2, ldc = n + 3;
        var rng = new Rng(5);
        var a = new float[Math.Max(1, k * lda)];
        rng.FillNormal(a);
        var c = new float[n * ldc];
        rng.FillNormal(c);
        if (beta == 0) for (int i = 0; i < n; i++) c[i * ldc] = float.NaN;
        var expected = (float[])c.Clone();
        GemmSyrk.Reference(n, k, 1.5f, a, lda, beta, expected, ldc);
        gemm.SsyrkLower(n, k, 1.5f, a, lda, beta, c, ldc);
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
                c[i * ldc + j].ShouldBe(expected[i * ldc + j], 1e-4f * (1 + Math.Abs(expected[i * ldc + j])), $"{provider} C[{i}, {j}]");
        // Padding beyond column n of C is never written.
        for (int i = 0; i < n - 1; i++)
            for (int j = n; j < ldc; j++) c[i * ldc + j].ShouldBe(expected[i * ldc + j], $"{provider} padding C[{i}, {j}]");
    }

    [Fact]
    public void SsyrkLower_BadArguments_NameTheArgument()
    {
        var gemm = Gemm.Select("managed");
        Should.Throw<ArgumentOutOfRangeException>(() => gemm.SsyrkLower(4, 2, 1f, new float[8], 3, 0f, new float[16], 4)).ParamName.ShouldBe("lda");
        Should.Throw<ArgumentException>(() => gemm.SsyrkLower(4, 2, 1f, new float[7], 4, 0f, new float[16], 4)).ParamName.ShouldBe("a");
        Should.Throw<ArgumentException>(() => gemm.SsyrkLower(4, 2, 1f, new float[8], 4, 0f, new float[15], 4)).ParamName.ShouldBe("c");
        Should.Throw<ArgumentOutOfRangeException>(() => gemm.SsyrkLower(-1, 2, 1f, new float[8], 4, 0f, new float[16], 4)).ParamName.ShouldBe("n");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(23, 7)]
    [InlineData(193, 300)]
    [InlineData(577, 520)]
    [InlineData(769, 64)]
    public void ManagedSsyrkLower_EqualsManagedGemmBitForBit_AndSkipsTilesAboveTheDiagonal(int n, int k)
    {
        var gemm = ManagedGemm.Instance;
        var rng = new Rng(8);
        var a = new float[k * n];
        rng.FillNormal(a);
        var full = new float[n * n];
        rng.FillNormal(full);
        var c = (float[])full.Clone();
        gemm.Sgemm(Transpose.Transpose, Transpose.None, n, n, k, 0.75f, a, n, a, n, 0.5f, full, n);
        var sentinel = (float[])c.Clone();
        gemm.SsyrkLower(n, k, 0.75f, a, n, 0.5f, c, n);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++) c[i * n + j].ShouldBe(full[i * n + j], $"C[{i}, {j}]");
            // An entry Mr + Nr − 1 or more columns right of the diagonal lies in an Mr×Nr tile wholly above it: never computed.
            for (int j = i + gemm.TileRows + gemm.TileColumns - 1; j < n; j++) c[i * n + j].ShouldBe(sentinel[i * n + j], $"C[{i}, {j}] above the diagonal");
        }
    }
}
