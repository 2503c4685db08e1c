// GemmOperands: random A (m×k or k×m), B (k×n or n×k) and C (m×n) buffers for one GemmShape.
using TaskVectors.Blas;
using TaskVectors.Tensors;

namespace TaskVectors.Bench;

/// <summary>Operand buffers for a <see cref="GemmShape"/>, filled with N(0, 1) values.</summary>
internal sealed class GemmOperands
{
    public GemmOperands(GemmShape shape, ulong seed = 1)
    {
        Shape = shape;
        A = new float[shape.M * shape.K];
        B = new float[shape.K * shape.N];
        C = new float[shape.M * shape.N];
        var rng = new Rng(seed);
        rng.FillNormal(A);
        rng.FillNormal(B);
    }

    public GemmShape Shape { get; }

    public float[] A { get; }

    public float[] B { get; }

    public float[] C { get; }

    /// <summary>C = op(A)·op(B) through <paramref name="gemm"/>.</summary>
    public void Run(IGemm gemm) =>
        gemm.Sgemm(Shape.TransA, Shape.TransB, Shape.M, Shape.N, Shape.K, 1f, A, Shape.Lda, B, Shape.Ldb, 0f, C, Shape.N);
}
