// Benchmark entry point: `dotnet run -c Release --project bench/TaskVectors.Bench -- --filter '*Gemm*'`.
using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
