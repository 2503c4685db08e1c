// SeparateMultiplyAdd: acc + x·y as a multiply then an add (two roundings); the Vector256 path for
// hardware that accelerates Vector256 but has no FMA3 (AVX without FMA).
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace TaskVectors.Blas;

/// <summary>acc + x·y as a Vector256 multiply followed by an add.</summary>
internal readonly struct SeparateMultiplyAdd : IVectorMultiplyAdd
{
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> acc) => acc + x * y;
}
