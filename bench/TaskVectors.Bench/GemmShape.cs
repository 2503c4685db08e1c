// GemmShape: one benchmarked product C (m×n) = op(A) (m×k) · op(B) (k×n) and its flop count 2·m·n·k.
using TaskVectors.Blas;

namespace TaskVectors.Bench;

/// <summary>A GEMM problem size with its operand transposes; <see cref="Label"/> is short for BenchmarkDotNet's columns.</summary>
public sealed record GemmShape(string Layer, int M, int N, int K, bool TransposeA = false, bool TransposeB = false)
{
    // Public for BenchmarkDotNet's [ParamsSource]; Transpose is internal to the library, so the record holds bools.
    internal Transpose TransA => TransposeA ? Transpose.Transpose : Transpose.None;

    internal Transpose TransB => TransposeB ? Transpose.Transpose : Transpose.None;

    /// <summary>The shapes both the table and the BenchmarkDotNet class run: squares, then ViT-B/32, ViT-tiny and all-MiniLM-L6-v2 (batch 32 × 64 tokens) layers.</summary>
    public static IReadOnlyList<GemmShape> All { get; } =
    [
        new("square", 256, 256, 256),
        new("square", 512, 512, 512),
        new("square", 1024, 1024, 1024),
        new("square", 2048, 2048, 2048),
        new("ViT-B fc1 X·W", 197, 3072, 768),
        new("ViT-B fc2 X·W", 197, 768, 3072),
        new("ViT-B q/k/v/out X·W", 197, 768, 768),
        new("ViT-B fc1 X·Wᵀ", 197, 3072, 768, false, true),
        new("ViT-B fc1 dW = dYᵀ·X", 3072, 768, 197, true, false),
        new("ViT-tiny qkv X·Wᵀ", 3200, 576, 192, false, true),
        new("MiniLM q/k/v/out X·Wᵀ", 2048, 384, 384, false, true),
        new("MiniLM fc1 X·Wᵀ", 2048, 1536, 384, false, true),
        new("MiniLM fc2 X·Wᵀ", 2048, 384, 1536, false, true),
    ];

    /// <summary>Floating-point operations of one call (a multiply and an add per term).</summary>
    public double Flops => 2.0 * M * N * K;

    /// <summary>Row strides of the operands as stored (tight).</summary>
    public int Lda => TransA == Transpose.None ? K : M;

    /// <inheritdoc cref="Lda"/>
    public int Ldb => TransB == Transpose.None ? N : K;

    /// <summary>"m197 n3072 k768 NT": sizes, then the transposes (N/T for A, B) when any is set.</summary>
    public string Label => $"m{M} n{N} k{K}" + (TransA == Transpose.None && TransB == Transpose.None ? "" : $" {Letter(TransA)}{Letter(TransB)}");

    public override string ToString() => Label;

    private static char Letter(Transpose t) => t == Transpose.None ? 'N' : 'T';
}
