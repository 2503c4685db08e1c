// GemmBenchmarkConfig: a short BenchmarkDotNet job (3 warm-ups, 7 measured iterations) plus the
// GFLOP/s column, so the GEMM suite finishes in minutes on a 2-core machine.
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace TaskVectors.Bench;

public sealed class GemmBenchmarkConfig : ManualConfig
{
    public GemmBenchmarkConfig()
    {
        AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(7));
        AddColumn(new GemmFlopsColumn());
    }
}
