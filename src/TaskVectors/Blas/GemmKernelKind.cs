// GemmKernelKind: which micro-kernel ManagedGemm runs. Chosen from the hardware by default; tests
// force the slower ones to check them on a machine that has FMA.
namespace TaskVectors.Blas;

/// <summary>The arithmetic of the managed micro-kernel.</summary>
internal enum GemmKernelKind
{
    /// <summary>Vector256 with fused multiply-add (x64 FMA3).</summary>
    Fused,

    /// <summary>Vector256 multiply then add (AVX without FMA3).</summary>
    Separate,

    /// <summary>Plain scalar loops, for hardware without Vector256 acceleration.</summary>
    Scalar,
}
