// FusedMultiplyAdd: acc + x·y with one rounding (vfmadd231ps); used when Fma.IsSupported.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TaskVectors.Blas;

/// <summary>acc + x·y through the FMA3 instruction (single rounding).</summary>
internal readonly struct FusedMultiplyAdd : IVectorMultiplyAdd
{
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> acc) => Fma.MultiplyAdd(x, y, acc);
}
