// Benchmark entry point. Quick tables by verb: `dotnet run -c Release --project bench/TaskVectors.Bench -- safetensors-table`;
// anything else goes to BenchmarkDotNet: `dotnet run -c Release --project bench/TaskVectors.Bench -- --filter '*Gemm*'`.
using BenchmarkDotNet.Running;
using TaskVectors.Bench;

switch (args.FirstOrDefault())
{
    case "safetensors-table":
        SafetensorsTable.Run(args[1..]);
        break;
    case "vit-table":
        VitTable.Run(args[1..]);
        break;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        break;
}
