// HandMixer: the same MLP-Mixer as GeneratedMixer, built by hand from the same library layers: an explicit
// registration and hand-written Forward, Backward and Jvp — the reference the generated model must equal.
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Models.Mixer;

internal sealed class HandMixer : IEmbeddingModel<Tensor>
{
    private readonly ILayer[] _layers;

    public HandMixer()
    {
        var root = new ModuleScope();
        var block = root.Push("blocks.0");
        _layers =
        [
            root.Add("stem", MixerShape.Stem),
            block.Add("token_mixing", MixerShape.TokenMixing),
            block.Add("channel_mixing", MixerShape.ChannelMixing),
            root.Add("norm", n => new LayerNorm(n, MixerShape.Width)),
            new MeanPooling(),
            root.Add("head", n => new Linear(n, MixerShape.Width, MixerShape.Embedding)),
            new L2Normalize(),
        ];
        Registration = root.Build();
    }

    public ModelRegistration Registration { get; }

    public IReadOnlyList<Parameter> Parameters => Registration.Parameters;

    public int EmbeddingDim => MixerShape.Embedding;

    public Tensor Forward(Tensor input)
    {
        var h = input;
        foreach (var layer in _layers) h = layer.Forward(h);
        return h;
    }

    public void Backward(Tensor gradEmbedding)
    {
        var g = gradEmbedding;
        for (int i = _layers.Length - 1; i >= 0; i--) g = _layers[i].Backward(g);
    }

    public Dual Jvp(Tensor input)
    {
        var d = _layers[0].Jvp(input, null);
        for (int i = 1; i < _layers.Length; i++) d = _layers[i].Jvp(d.Primal, d.Tangent);
        return d;
    }
}
