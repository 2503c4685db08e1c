// GeneratedTable: the `generated-table` verb. A training step (Forward + Backward into the gradients) and a
// linearized step (Jvp + Backward) of the generated MLP-Mixer beside the same network built by hand from the same
// layers, with equal weights; the two models take turns in every round, and the ratio is the median of per-round
// ratios (generated / hand), so machine noise hits both alike.
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.Bench;

internal static class GeneratedTable
{
    public static void Run(string[] args)
    {
        int runs = BenchTools.Option(args, "--runs", 21), batch = BenchTools.Option(args, "--batch", 32);
        var hand = new HandBenchMixer();
        var generated = new GeneratedBenchMixer();
        var rng = new Rng(0);
        foreach (var p in hand.Parameters) rng.FillNormal(p.Value.Span, 0f, 0.05f);
        for (int k = 0; k < hand.Parameters.Count; k++) hand.Parameters[k].Value.Span.CopyTo(generated.Parameters[k].Value.Span);
        var x = new Tensor(batch, 3, 32, 32);
        rng.FillNormal(x.Span);
        var g = new Tensor(batch, BenchMixer.Embedding);
        rng.FillNormal(g.Span);
        foreach (var model in new IEmbeddingModel<Tensor>[] { hand, generated })
            foreach (var p in model.Parameters) p.Tangent = BenchTools.SmallNormal(p.Value, new Rng(1));

        static Action Train(IEmbeddingModel<Tensor> m, Tensor x, Tensor g) => () =>
        {
            foreach (var p in m.Parameters) p.ZeroGrad();
            m.Forward(x);
            m.Backward(g);
        };
        static Action Linearized(IEmbeddingModel<Tensor> m, Tensor x, Tensor g) => () =>
        {
            foreach (var p in m.Parameters) p.ZeroGrad();
            m.Jvp(x);
            m.Backward(g);
        };

        Console.WriteLine($"MLP-Mixer 2 blocks, 64 tokens × 128, batch {batch}, {hand.Parameters.Sum(p => p.Length):N0} parameters: " +
                          $"median of {runs} alternating rounds; {Environment.ProcessorCount} cores");
        Console.WriteLine($"{"step",-22} {"hand ms",9} {"generated ms",13} {"generated/hand",15}");
        foreach (var (name, make) in new (string, Func<IEmbeddingModel<Tensor>, Tensor, Tensor, Action>)[] { ("forward+backward", Train), ("jvp+backward", Linearized) })
        {
            var times = BenchTools.Rounds(runs, make(hand, x, g), make(generated, x, g));
            Console.WriteLine($"{name,-22} {1e3 * BenchTools.MedianOf(times[0]),9:F2} {1e3 * BenchTools.MedianOf(times[1]),13:F2} " +
                              $"{BenchTools.PairedRatio(times[1], times[0]),15:F3}");
        }
    }
}
