// Tests of Gemm.Select: forced providers by name (case and spaces ignored), the automatic choice
// (OpenBLAS when it loads, else the managed GEMM, never the reference) and unknown names.
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
    public void Select_Automatic_PrefersOpenBlasElseManaged(string? name)
    {
        var gemm = Gemm.Select(name);
        if (OpenBlasGemm.TryLoad(out _, out _)) gemm.ShouldBeOfType<OpenBlasGemm>();
        else gemm.ShouldBeOfType<ManagedGemm>();
    }

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
