// Transpose: whether a GEMM operand is used as stored or transposed.
namespace TaskVectors.Blas;

/// <summary>op(X) for a GEMM operand: X itself or Xᵀ.</summary>
internal enum Transpose
{
    /// <summary>op(X) = X.</summary>
    None = 0,

    /// <summary>op(X) = Xᵀ.</summary>
    Transpose = 1,
}
