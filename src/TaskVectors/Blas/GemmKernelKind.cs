// GemmKernelKind: which micro-kernel ManagedGemm runs. Chosen from the hardware by default (see
// GemmKernelChoice); tests force the others to check them on a machine that runs the fastest.
namespace TaskVectors.Blas;

/// <summary>The arithmetic of the managed micro-kernel.</summary>
internal enum GemmKernelKind
{
    /// <summary>Vector256 with fused multiply-add (x64 FMA3), 6×16 tile.</summary>
    Fused,

    /// <summary>Vector256 multiply then add (AVX without FMA3), 6×16 tile.</summary>
    Separate,

    /// <summary>Plain scalar loops, for hardware without Vector256 acceleration, 6×16 tile.</summary>
    Scalar,

    /// <summary>Vector512 with fused multiply-add (AVX-512F), 12×32 tile; bit-identical to <see cref="Fused"/>.</summary>
    Fused512,
}
