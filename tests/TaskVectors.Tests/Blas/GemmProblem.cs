// GemmProblem: one random GEMM problem C (m×n) = α·op(A)·op(B) + β·C in padded storage. Padding is
// NaN in A and B and a sentinel in C, so a provider that reads or writes it is caught; Compare
// checks a result against the reference with the tolerance described in GemmCheck.
using TaskVectors.Blas;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Blas;

/// <summary>One random problem with padded storage.</summary>
internal sealed class GemmProblem
{
    private const float Sentinel = 12345.5f;
    private readonly int _m, _n, _k;
    private readonly Transpose _transA, _transB;
    private readonly float[] _c0;

    public GemmProblem(int m, int n, int k, Transpose transA, Transpose transB, int pad, ulong seed)
    {
        (_m, _n, _k, _transA, _transB) = (m, n, k, transA, transB);
        var rng = new Rng(seed);
        int aRows = transA == Transpose.None ? m : k, aCols = transA == Transpose.None ? k : m;
        int bRows = transB == Transpose.None ? k : n, bCols = transB == Transpose.None ? n : k;
        Lda = aCols + pad;
        Ldb = bCols + pad;
        Ldc = n + pad;
        A = Padded(rng, aRows, aCols, Lda, float.NaN);
        B = Padded(rng, bRows, bCols, Ldb, float.NaN);
        _c0 = Padded(rng, m, n, Ldc, Sentinel);
    }

    public float[] A { get; }

    public float[] B { get; }

    public int Lda { get; }

    public int Ldb { get; }

    public int Ldc { get; }

    /// <summary>op(A)[i, p].</summary>
    public float OpA(int i, int p) => _transA == Transpose.None ? A[i * Lda + p] : A[p * Lda + i];

    /// <summary>op(B)[p, j].</summary>
    public float OpB(int p, int j) => _transB == Transpose.None ? B[p * Ldb + j] : B[j * Ldb + p];

    /// <summary>C before the call: random values, or NaN when β = 0 (so reading C would show).</summary>
    public float[] FreshC(float beta)
    {
        var c = (float[])_c0.Clone();
        if (beta == 0f)
            for (int i = 0; i < _m; i++) c.AsSpan(i * Ldc, _n).Fill(float.NaN);
        return c;
    }

    public void Compare(float[] expected, float[] actual, float beta, string what)
    {
        var rowNorm = new double[_m];
        var colNorm = new double[_n];
        for (int i = 0; i < _m; i++)
            for (int p = 0; p < _k; p++) rowNorm[i] += (double)OpA(i, p) * OpA(i, p);
        for (int j = 0; j < _n; j++)
            for (int p = 0; p < _k; p++) colNorm[j] += (double)OpB(p, j) * OpB(p, j);

        ArrayAssert.Within(Logical(actual), Logical(expected), (at, _) =>
        {
            int i = at / _n, j = at % _n;
            double scale = Math.Abs(GemmCheck.Alpha) * Math.Sqrt(rowNorm[i] * colNorm[j]) + Math.Abs(beta) * Math.Abs(_c0[i * Ldc + j]);
            return 2e-6 * Math.Sqrt(_k) * scale + 1e-7;
        }, what, [_m, _n]);
        for (int i = 0; i < _m; i++)
            for (int j = _n; j < Ldc && i * Ldc + j < actual.Length; j++)
                actual[i * Ldc + j].ShouldBe(Sentinel, $"{what}: padding C[{i},{j}] was written");
    }

    /// <summary>The m×n elements of C without its padding, row-major.</summary>
    public float[] Logical(float[] c)
    {
        var logical = new float[_m * _n];
        for (int i = 0; i < _m; i++) c.AsSpan(i * Ldc, _n).CopyTo(logical.AsSpan(i * _n));
        return logical;
    }

    // rows×cols values N(0, 1) with row stride ld; the padding holds `fill`.
    private static float[] Padded(Rng rng, int rows, int cols, int ld, float fill)
    {
        var x = new float[Math.Max(1, rows * ld)];
        x.AsSpan().Fill(fill);
        for (int r = 0; r < rows; r++) rng.FillNormal(x.AsSpan(r * ld, cols));
        return x;
    }
}
