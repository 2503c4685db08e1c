// GemmCheck: runs a GEMM provider and ReferenceGemm on the same random GemmProblem and compares
// them, with α = −1.25, leading dimensions padded past the minimum, and both β = 0 (C starts as NaN,
// which must not leak) and β = 0.5.
// Tolerance per element: 2e-6·√k·(|α|·‖row i of op(A)‖·‖column j of op(B)‖ + |β|·|C0[i, j]|) + 1e-7:
// a float32 sum of k products errs by ~ε·√k relative to that magnitude, while a kernel that drops
// or misplaces a single product errs by ~|a·b|, hundreds of times more for k = 257.
using TaskVectors.Blas;

namespace TaskVectors.Tests.Blas;

internal static class GemmCheck
{
    public const float Alpha = -1.25f;

    /// <summary>Shapes (m, n, k) in which every dimension takes each of 1, 7, 33, 65 and 257.</summary>
    public static readonly (int M, int N, int K)[] OddShapes =
    [
        (1, 1, 1), (7, 7, 7), (1, 257, 33), (257, 1, 65), (33, 65, 1), (65, 33, 257),
        (257, 65, 7), (7, 33, 257), (33, 257, 65), (65, 7, 33), (257, 257, 257),
    ];

    // Theories take op(A)/op(B) as bools (xUnit test methods are public, Transpose is internal): false = X, true = Xᵀ.
    public static readonly bool[] TransposeFlags = [false, true];

    public static Transpose Op(bool transposed) => transposed ? Transpose.Transpose : Transpose.None;

    /// <summary>Every odd shape with every transpose combination: (m, n, k, transA, transB).</summary>
    public static TheoryData<int, int, int, bool, bool> OddShapesAllTransposes()
    {
        var data = new TheoryData<int, int, int, bool, bool>();
        foreach (var (m, n, k) in OddShapes)
            foreach (var ta in TransposeFlags)
                foreach (var tb in TransposeFlags)
                    data.Add(m, n, k, ta, tb);
        return data;
    }

    /// <summary>Checks <paramref name="gemm"/> against the reference for β = 0 and β = 0.5.</summary>
    public static void AgreesWithReference(IGemm gemm, int m, int n, int k, Transpose transA, Transpose transB, int pad = 3)
    {
        foreach (float beta in new[] { 0f, 0.5f })
        {
            var p = new GemmProblem(m, n, k, transA, transB, pad, seed: (ulong)(m * 1_000_003 + n * 1009 + k * 7 + (int)transA * 2 + (int)transB));
            var expected = p.FreshC(beta);
            ReferenceGemm.Instance.Sgemm(transA, transB, m, n, k, Alpha, p.A, p.Lda, p.B, p.Ldb, beta, expected, p.Ldc);
            var actual = p.FreshC(beta);
            gemm.Sgemm(transA, transB, m, n, k, Alpha, p.A, p.Lda, p.B, p.Ldb, beta, actual, p.Ldc);
            p.Compare(expected, actual, beta, $"{gemm.Name} m={m} n={n} k={k} {transA}/{transB} β={beta}");
        }
    }
}
