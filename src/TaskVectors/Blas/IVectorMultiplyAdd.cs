// IVectorMultiplyAdd: the one arithmetic step of the GEMM micro-kernel, acc + x·y over 8 float lanes.
// The kernel is generic over it so the JIT emits a fused (FMA) or a multiply-then-add kernel with no
// branch in the inner loop, and tests can run either variant on the same machine.
using System.Runtime.Intrinsics;

namespace TaskVectors.Blas;

/// <summary>acc + x·y lane-wise; implemented by tiny structs the micro-kernel is specialized on.</summary>
internal interface IVectorMultiplyAdd
{
    /// <summary>Returns acc + x·y (fused or not, depending on the implementation).</summary>
    static abstract Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> acc);
}
