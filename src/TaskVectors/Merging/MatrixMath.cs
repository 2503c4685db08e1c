// MatrixMath: the dense linear algebra of the SVD-based and RegMean merges, in float64 through MathNet.Numerics:
// row-major float32 spans ↔ matrices, thin SVD (U: m×r, σ: r, Vᵀ: r×n, r = min(m, n)) and the polar factor U·Vᵀ.
using MathNet.Numerics.LinearAlgebra;

namespace TaskVectors.Merging;

internal static class MatrixMath
{
    /// <summary>The (rows × cols) matrix of a row-major span.</summary>
    public static Matrix<double> FromRowMajor(ReadOnlySpan<float> values, int rows, int cols)
    {
        var m = Matrix<double>.Build.Dense(rows, cols);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) m[i, j] = values[i * cols + j];
        return m;
    }

    /// <summary>Writes <paramref name="m"/> row-major into <paramref name="destination"/>, rounded to float32.</summary>
    public static void ToRowMajor(Matrix<double> m, Span<float> destination)
    {
        int cols = m.ColumnCount;
        for (int i = 0; i < m.RowCount; i++)
            for (int j = 0; j < cols; j++) destination[i * cols + j] = (float)m[i, j];
    }

    /// <summary>Thin SVD m = U·diag(σ)·Vᵀ with r = min(rows, cols), σ descending.</summary>
    public static (Matrix<double> U, Vector<double> S, Matrix<double> Vt) ThinSvd(Matrix<double> m)
    {
        int r = Math.Min(m.RowCount, m.ColumnCount);
        var svd = m.Svd(computeVectors: true);
        return (svd.U.SubMatrix(0, m.RowCount, 0, r), svd.S.SubVector(0, r), svd.VT.SubMatrix(0, r, 0, m.ColumnCount));
    }

    /// <summary>The polar (orthogonal) factor P·Qᵀ of m = P·Σ·Qᵀ: the nearest matrix with orthonormal columns (or rows).</summary>
    public static Matrix<double> Polar(Matrix<double> m)
    {
        var (u, _, vt) = ThinSvd(m);
        return u * vt;
    }
}
