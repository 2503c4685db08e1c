// Vector512TheoryAttribute: a [Theory] that is skipped, saying why, where this CPU has no accelerated Vector512
// (the managed GEMM's 12×32 AVX-512 kernel cannot run there; the Vector256 kernels are tested on every machine).
using TaskVectors.Blas;

namespace TaskVectors.Tests.Blas;

public sealed class Vector512TheoryAttribute : TheoryAttribute
{
    public Vector512TheoryAttribute()
    {
        if (!ManagedGemm.IsSupported(GemmKernelKind.Fused512)) Skip = "this CPU has no accelerated Vector512 (AVX-512F), so the 12×32 kernel cannot run here.";
    }
}
