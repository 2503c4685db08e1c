// GeneratedBenchMixer: BenchMixer's network declared as annotated layers; the generator writes its passes.
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.Bench;

[GeneratedModel(Sequential = true)]
internal sealed partial class GeneratedBenchMixer : IEmbeddingModel<Tensor>
{
    [Layer] private readonly PatchEmbedding _stem = BenchMixer.Stem(LayerName(nameof(_stem)));
    [Layer("blocks.0.tokens")] private readonly Residual _tokens0 = BenchMixer.TokenMixing(LayerName(nameof(_tokens0)));
    [Layer("blocks.0.channels")] private readonly Residual _channels0 = BenchMixer.ChannelMixing(LayerName(nameof(_channels0)));
    [Layer("blocks.1.tokens")] private readonly Residual _tokens1 = BenchMixer.TokenMixing(LayerName(nameof(_tokens1)));
    [Layer("blocks.1.channels")] private readonly Residual _channels1 = BenchMixer.ChannelMixing(LayerName(nameof(_channels1)));
    [Layer] private readonly LayerNorm _norm = new(LayerName(nameof(_norm)), BenchMixer.Width);
    [Layer] private readonly MeanPooling _pool = new();
    [Layer] private readonly Linear _head = new(LayerName(nameof(_head)), BenchMixer.Width, BenchMixer.Embedding);
    [Layer] private readonly L2Normalize _normalize = new();

    public int EmbeddingDim => BenchMixer.Embedding;
}
