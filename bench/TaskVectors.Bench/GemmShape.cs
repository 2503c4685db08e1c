// GemmShape: one benchmarked product C (m×n) = op(A) (m×k) · op(B) (k×n) and its flop count 2·m·n·k.
using TaskVectors.Blas;

namespace TaskVectors.Bench;

/// <summary>A GEMM problem size with its operand transposes.</summary>
public sealed record GemmShape(string Label, int M, int N, int K, Transpose TransA = Transpose.None, Transpose TransB = Transpose.None)
{
    /// <summary>The shapes both the table and the BenchmarkDotNet class run: squares, then ViT-B/32 layers.</summary>
    public static IReadOnlyList<GemmShape> All { get; } =
    [
        new("square 256", 256, 256, 256),
        new("square 512", 512, 512, 512),
        new("square 1024", 1024, 1024, 1024),
        new("square 2048", 2048, 2048, 2048),
        new("ViT fc1 197x768·768x3072", 197, 3072, 768),
        new("ViT fc2 197x3072·3072x768", 197, 768, 3072),
        new("ViT attn 197x768·768x768", 197, 768, 768),
        new("ViT fc1 X·Wᵀ (B transposed)", 197, 3072, 768, Transpose.None, Transpose.Transpose),
        new("ViT fc1 dYᵀ·X (A transposed)", 3072, 768, 197, Transpose.Transpose, Transpose.None),
    ];

    /// <summary>Floating-point operations of one call (a multiply and an add per term).</summary>
    public double Flops => 2.0 * M * N * K;

    /// <summary>Row strides of the operands as stored (tight).</summary>
    public int Lda => TransA == Transpose.None ? K : M;

    /// <inheritdoc cref="Lda"/>
    public int Ldb => TransB == Transpose.None ? N : K;

    public override string ToString() => Label;
}
