// Setup: the child's first stdin line, {"threads": N, "shapes": [VitShape, …]}: libtorch's intra-op thread count
// and the configurations to build.
namespace TaskVectors.Bench.TorchSharp;

internal sealed record Setup(int Threads, VitShape[] Shapes);
