// GemmBenchmarks: BenchmarkDotNet timing of C = op(A)·op(B) for every GemmShape (squares 256…2048,
// ViT-B layer shapes, one transposed-A and one transposed-B case) under both providers, with a
// GFLOP/s column (2·m·n·k / mean time). Each case runs in its own process, so OpenBLAS's spinning
// threads never overlap a managed run. Run: `-- --filter '*GemmBenchmarks*'`.
using BenchmarkDotNet.Attributes;
using TaskVectors.Blas;

namespace TaskVectors.Bench;

[Config(typeof(GemmBenchmarkConfig))]
public class GemmBenchmarks
{
    private GemmOperands _operands = null!;
    private IGemm _gemm = null!;

    public static IEnumerable<GemmShape> Shapes => GemmShape.All;

    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = null!;

    [Params("openblas", "managed")]
    public string Provider { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _gemm = Gemm.Select(Provider);
        _operands = new GemmOperands(Shape);
    }

    [Benchmark]
    public void Sgemm() => _operands.Run(_gemm);
}
