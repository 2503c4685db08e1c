// GemmEdge: the degenerate k = 0 case of C = α·op(A)·op(B) + β·C, where the product is empty and
// C becomes β·C (or exactly zero when β = 0, as BLAS specifies).
namespace TaskVectors.Blas;

internal static class GemmEdge
{
    /// <summary>C (m×n, stride ldc) ← β·C, writing zeros without reading C when β = 0.</summary>
    public static void ScaleC(int m, int n, float beta, Span<float> c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            var row = c.Slice(i * ldc, n);
            if (beta == 0f) row.Clear();
            else if (beta != 1f) System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
        }
    }
}
