// Benchmark entry point. Verbs with quick tables of their own come first; anything else goes to
// BenchmarkDotNet: `dotnet run -c Release --project bench/TaskVectors.Bench -- --filter '*Gemm*'`.
//   gemm-table [--runs N] [--min-ms T] [--filter TEXT]   median GFLOP/s of OpenBLAS and managed GEMM side by side
using BenchmarkDotNet.Running;
using TaskVectors.Bench;

switch (args.FirstOrDefault())
{
    case "gemm-table":
        return GemmTable.Run(args[1..]);
    default:
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
}
