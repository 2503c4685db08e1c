// Benchmark entry point. Verbs with quick tables of their own come first; anything else goes to
// BenchmarkDotNet: `dotnet run -c Release --project bench/TaskVectors.Bench -- --filter '*Gemm*'`.
//   gemm-table [--runs N] [--min-ms T] [--filter TEXT]   median GFLOP/s of OpenBLAS and managed GEMM side by side
//   safetensors-table [--tensors N] [--mb M] [--repeats R]  safetensors read throughput
//   finetune-table [--runs N] [--torch]  non-linear and linearized fine-tuning steps of ViT-tiny, optionally beside PyTorch
//   vit-table [--runs N] [--configs vit-tiny,vit-b32] [--torch]  ViT train / forward / JVP steps, optionally beside PyTorch
//   kfac-table [--images N] [--runs R] [--batch B] [--exact] [--b32] [--torch]  KFAC estimation vs forward+backward, TAK overhead, factor file sizes
//   syrk-table [--runs N]  SSYRK on KFAC's Gram shapes: OpenBLAS, the managed tiled SSYRK and the column-panel fallback
//   builder-table [--runs N] [--steps S] [--tasks T]  one small TAK plan through the builder vs the same calls written out
//   merge-table [--tasks T] [--runs N] [--dir D]  merging T ViT-B/32 task-vector files (TA, TIES) beside a numpy memmap loop
using BenchmarkDotNet.Running;
using TaskVectors.Bench;

switch (args.FirstOrDefault())
{
    case "gemm-table":
        return GemmTable.Run(args[1..]);
    case "safetensors-table":
        SafetensorsTable.Run(args[1..]);
        return 0;
    case "finetune-table":
        FineTuneTable.Run(args[1..]);
        return 0;
    case "vit-table":
        VitTable.Run(args[1..]);
        return 0;
    case "kfac-table":
        KfacTable.Run(args[1..]);
        return 0;
    case "syrk-table":
        SyrkTable.Run(args[1..]);
        return 0;
    case "builder-table":
        BuilderTable.Run(args[1..]);
        return 0;
    case "merge-table":
        MergeTable.Run(args[1..]);
        return 0;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
}
