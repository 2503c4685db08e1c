// Tests of OpenBlasGemm against ReferenceGemm: odd sizes, all transposes, α ≠ 1, β ∈ {0, 0.5},
// padded leading dimensions; edge cases handled before the native call; argument validation.
using TaskVectors.Blas;

namespace TaskVectors.Tests.Blas;

public class OpenBlasGemmTests
{
    private static OpenBlasGemm Load() => OpenBlasGemm.TryLoad(out var gemm, out string why) ? gemm! : throw new InvalidOperationException(why);

    [OpenBlasTheory]
    [MemberData(nameof(GemmCheck.OddShapesAllTransposes), MemberType = typeof(GemmCheck))]
    public void Sgemm_OddSizesAllTransposes_MatchesReference(int m, int n, int k, bool transA, bool transB) =>
        GemmCheck.AgreesWithReference(Load(), m, n, k, GemmCheck.Op(transA), GemmCheck.Op(transB));

    [OpenBlasFact]
    public void TryLoad_Installed_IsOpenBlasNotNetlib()
    {
        var gemm = Load();
        gemm.Name.ShouldBe("openblas");
        gemm.Config.ShouldContain("OpenBLAS");
    }

    [OpenBlasFact]
    public void Sgemm_KZero_ScalesCByBeta()
    {
        var c = new[] { 1f, 2f, float.NaN, 4f };
        Load().Sgemm(Transpose.None, Transpose.None, 2, 2, 0, 1f, [], 1, [], 2, 0.5f, c, 2);
        c.ShouldBe([0.5f, 1f, float.NaN, 2f]);
        Load().Sgemm(Transpose.None, Transpose.None, 2, 2, 0, 1f, [], 1, [], 2, 0f, c, 2);
        c.ShouldBe([0f, 0f, 0f, 0f]);
    }

    [OpenBlasFact]
    public void Sgemm_ShortC_ThrowsNamingC()
    {
        var e = Should.Throw<ArgumentException>(() => Load().Sgemm(Transpose.None, Transpose.None, 2, 2, 2, 1f, new float[4], 2, new float[4], 2, 0f, new float[3], 2));
        e.ParamName.ShouldBe("c");
    }
}
