// Tests of Gemm.Select: forced providers by name (case and spaces ignored), the automatic choice (the managed
// GEMM where it has Vector512 and OpenBLAS's core has no AVX-512 kernel, else OpenBLAS when it loads, else the
// managed GEMM; never the reference) and unknown names.
using TaskVectors.Blas;

namespace TaskVectors.Tests.Blas;

public class GemmTests
{
    [Theory]
    [InlineData("managed")]
    [InlineData(" Managed ")]
    public void Select_Managed_ReturnsManagedGemm(string name) => Gemm.Select(name).ShouldBeOfType<ManagedGemm>();

    [Fact]
    public void Select_Reference_ReturnsReferenceGemm() => Gemm.Select("reference").ShouldBeSameAs(ReferenceGemm.Instance);

    [OpenBlasFact]
    public void Select_OpenBlas_ReturnsOpenBlasGemm() => Gemm.Select("OPENBLAS").ShouldBeOfType<OpenBlasGemm>();

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Select_Automatic_FollowsTheDocumentedRule(string? name)
    {
        var gemm = Gemm.Select(name);
        if (OpenBlasGemm.TryLoad(out var blas, out _) && !Gemm.PrefersManaged(ManagedGemm.IsSupported(GemmKernelKind.Fused512), blas!.Config))
            gemm.ShouldBeOfType<OpenBlasGemm>();
        else gemm.ShouldBeSameAs(ManagedGemm.Instance);
    }

    [Theory]
    [InlineData(true, "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64", true)]
    [InlineData(true, "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64", true)]
    [InlineData(true, "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64", false)]
    [InlineData(true, "OpenBLAS 0.3.26 DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64", false)]
    [InlineData(true, "OpenBLAS 0.3.27 DYNAMIC_ARCH NO_AFFINITY SapphireRapids MAX_THREADS=64", false)]
    [InlineData(false, "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64", false)]
    public void PrefersManaged_Vector512AgainstOpenBlasCore_PicksTheFasterKernelFamily(bool managedVector512, string config, bool expected) =>
        Gemm.PrefersManaged(managedVector512, config).ShouldBe(expected);

    [Fact]
    public void Select_UnknownName_ThrowsListingTheChoices()
    {
        var e = Should.Throw<InvalidOperationException>(() => Gemm.Select("cublas"));
        e.Message.ShouldContain("cublas");
        e.Message.ShouldContain("openblas, managed, reference");
    }

    [Fact]
    public void Default_IsOneOfTheProviders() => new[] { "openblas", "managed", "reference" }.ShouldContain(Gemm.Default.Name);
}
