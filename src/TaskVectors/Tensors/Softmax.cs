// Softmax: row-wise softmax and log-softmax over a (rows, cols) float32 matrix stored row-major.
using System.Numerics.Tensors;

namespace TaskVectors.Tensors;

/// <summary>Row-wise softmax kernels. Each row is shifted by its maximum before exponentiating.</summary>
internal static class Softmax
{
    /// <summary>y[r, j] = exp(x[r, j] − m_r) / Σ_k exp(x[r, k] − m_r), m_r = max_k x[r, k]. y may alias x.</summary>
    public static void Rows(ReadOnlySpan<float> x, Span<float> y, int rows, int cols)
    {
        Check(x.Length, y.Length, rows, cols);
        for (int r = 0; r < rows; r++)
        {
            // TensorPrimitives.SoftMax does not shift by the maximum (exp overflows above ~88), so shift here.
            var xr = x.Slice(r * cols, cols);
            var yr = y.Slice(r * cols, cols);
            float m = TensorPrimitives.Max(xr);
            TensorPrimitives.Subtract(xr, m, yr);
            TensorPrimitives.Exp(yr, yr);
            TensorPrimitives.Divide(yr, TensorPrimitives.Sum(yr), yr);
        }
    }

    /// <summary>y[r, j] = x[r, j] − m_r − log Σ_k exp(x[r, k] − m_r). y may alias x.</summary>
    public static void LogRows(ReadOnlySpan<float> x, Span<float> y, int rows, int cols)
    {
        Check(x.Length, y.Length, rows, cols);
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * cols, cols);
            var yr = y.Slice(r * cols, cols);
            float m = TensorPrimitives.Max(xr);
            double s = 0;
            for (int j = 0; j < cols; j++) s += Math.Exp(xr[j] - m);
            float shift = m + (float)Math.Log(s);
            TensorPrimitives.Subtract(xr, shift, yr);
        }
    }

    /// <summary>
    /// Backward of y = softmax(x) per row: gradX[r, j] = y[r, j] · (gradY[r, j] − Σ_k gradY[r, k] y[r, k]).
    /// gradX may alias gradY.
    /// </summary>
    public static void BackwardRows(ReadOnlySpan<float> y, ReadOnlySpan<float> gradY, Span<float> gradX, int rows, int cols)
    {
        Check(y.Length, gradY.Length, rows, cols);
        Check(y.Length, gradX.Length, rows, cols);
        for (int r = 0; r < rows; r++)
        {
            var yr = y.Slice(r * cols, cols);
            var gr = gradY.Slice(r * cols, cols);
            var dr = gradX.Slice(r * cols, cols);
            float dot = TensorPrimitives.Dot(gr, yr);
            TensorPrimitives.Subtract(gr, dot, dr);
            TensorPrimitives.Multiply(dr, yr, dr);
        }
    }

    private static void Check(int xLength, int yLength, int rows, int cols)
    {
        if (rows < 0 || cols <= 0 && rows > 0) throw new ArgumentException($"Invalid matrix {rows}×{cols}.");
        if (xLength != rows * cols || yLength != rows * cols)
            throw new ArgumentException($"Spans of {xLength} and {yLength} elements do not hold {rows}×{cols}.");
    }
}
