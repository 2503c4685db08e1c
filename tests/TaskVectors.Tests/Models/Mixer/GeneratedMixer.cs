// GeneratedMixer: the MLP-Mixer of MixerShape declared only as annotated layers in order; the TaskVectors
// generator writes its registration and its Forward, Backward and Jvp.
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Models.Mixer;

[GeneratedModel(Sequential = true)]
internal sealed partial class GeneratedMixer : IEmbeddingModel<Tensor>
{
    [Layer] private readonly PatchEmbedding _stem = MixerShape.Stem(LayerName(nameof(_stem)));
    [Layer("blocks.0.token_mixing")] private readonly Residual _tokenMixing = MixerShape.TokenMixing(LayerName(nameof(_tokenMixing)));
    [Layer("blocks.0.channel_mixing")] private readonly Residual _channelMixing = MixerShape.ChannelMixing(LayerName(nameof(_channelMixing)));
    [Layer] private readonly LayerNorm _norm = new(LayerName(nameof(_norm)), MixerShape.Width);
    [Layer] private readonly MeanPooling _pool = new();
    [Layer] private readonly Linear _head = new(LayerName(nameof(_head)), MixerShape.Width, MixerShape.Embedding);
    [Layer] private readonly L2Normalize _normalize = new();

    public int EmbeddingDim => MixerShape.Embedding;
}
