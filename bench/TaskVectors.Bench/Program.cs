// Benchmark entry point. Verbs with quick tables of their own come first; anything else goes to
// BenchmarkDotNet: `dotnet run -c Release --project bench/TaskVectors.Bench -- --filter '*Gemm*'`.
//   gemm-table [--runs N] [--min-ms T] [--filter TEXT]   median GFLOP/s of OpenBLAS and managed GEMM side by side
//   safetensors-table [--tensors N] [--mb M] [--repeats R]  safetensors read throughput
//   finetune-table [--runs N] [--torch]  non-linear and linearized fine-tuning steps of ViT-tiny, optionally beside PyTorch
//   vit-table [--runs N] [--configs vit-tiny,vit-b32] [--torch] [--torchsharp] | [--kernels]  ViT train / forward / JVP steps, optionally beside PyTorch and TorchSharp, or per GEMM kernel
//   kfac-table [--images N] [--runs R] [--batch B] [--exact] [--b32] [--torch]  KFAC estimation vs forward+backward, TAK overhead, factor file sizes
//   syrk-table [--runs N]  SSYRK on KFAC's Gram shapes: OpenBLAS, the managed tiled SSYRK and the column-panel fallback
//   input-table [--runs N] [--copies C] [--vocab FILE] [--idx DIR]  images/s of decode+preprocess beside training steps, prefetching, resize vs ImageSharp, tokens/s
//   minilm-table [--runs N] [--torch] [--cache DIR] [--passes A,B]  all-MiniLM-L6-v2 forward / JVP / train / KFAC beside ONNX Runtime (and PyTorch); --passes keeps the named ones
//   builder-table [--runs N] [--steps S] [--tasks T]  one small TAK plan through the builder vs the same calls written out
//   merge-table [--tasks T] [--runs N] [--dir D]  merging T ViT-B/32 task-vector files (TA, TIES) beside a numpy memmap loop
//   generated-table [--runs N] [--batch B]  training steps of a generated MLP-Mixer beside the same network built by hand
//   activation-table [--runs N]  the exact GELU's value and slope kernels beside the formulation they replaced, one thread
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
    case "input-table":
        InputTable.Run(args[1..]);
        return 0;
    case "minilm-table":
        MinilmTable.Run(args[1..]);
        return 0;
    case "builder-table":
        BuilderTable.Run(args[1..]);
        return 0;
    case "merge-table":
        MergeTable.Run(args[1..]);
        return 0;
    case "generated-table":
        GeneratedTable.Run(args[1..]);
        return 0;
    case "activation-table":
        ActivationTable.Run(args[1..]);
        return 0;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
}
