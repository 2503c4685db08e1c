// HandBenchMixer: BenchMixer's network built by hand — explicit registration, one field per layer and
// hand-written Forward, Backward and Jvp — the baseline the generated model is timed against.
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.Bench;

internal sealed class HandBenchMixer : IEmbeddingModel<Tensor>
{
    private readonly PatchEmbedding _stem;
    private readonly Residual _tokens0, _channels0, _tokens1, _channels1;
    private readonly LayerNorm _norm;
    private readonly MeanPooling _pool = new();
    private readonly Linear _head;
    private readonly L2Normalize _normalize = new();

    public HandBenchMixer()
    {
        var root = new ModuleScope();
        _stem = root.Add("stem", BenchMixer.Stem);
        _tokens0 = root.Add("blocks.0.tokens", BenchMixer.TokenMixing);
        _channels0 = root.Add("blocks.0.channels", BenchMixer.ChannelMixing);
        _tokens1 = root.Add("blocks.1.tokens", BenchMixer.TokenMixing);
        _channels1 = root.Add("blocks.1.channels", BenchMixer.ChannelMixing);
        _norm = root.Add("norm", n => new LayerNorm(n, BenchMixer.Width));
        _head = root.Add("head", n => new Linear(n, BenchMixer.Width, BenchMixer.Embedding));
        Registration = root.Build();
    }

    public ModelRegistration Registration { get; }

    public IReadOnlyList<Parameter> Parameters => Registration.Parameters;

    public int EmbeddingDim => BenchMixer.Embedding;

    public Tensor Forward(Tensor input) =>
        _normalize.Forward(_head.Forward(_pool.Forward(_norm.Forward(
            _channels1.Forward(_tokens1.Forward(_channels0.Forward(_tokens0.Forward(_stem.Forward(input)))))))));

    public void Backward(Tensor gradEmbedding) =>
        _stem.Backward(_tokens0.Backward(_channels0.Backward(_tokens1.Backward(_channels1.Backward(
            _norm.Backward(_pool.Backward(_head.Backward(_normalize.Backward(gradEmbedding)))))))));

    public Dual Jvp(Tensor input)
    {
        var d = _stem.Jvp(input, null);
        d = _tokens0.Jvp(d.Primal, d.Tangent);
        d = _channels0.Jvp(d.Primal, d.Tangent);
        d = _tokens1.Jvp(d.Primal, d.Tangent);
        d = _channels1.Jvp(d.Primal, d.Tangent);
        d = _norm.Jvp(d.Primal, d.Tangent);
        d = _pool.Jvp(d.Primal, d.Tangent);
        d = _head.Jvp(d.Primal, d.Tangent);
        return _normalize.Jvp(d.Primal, d.Tangent);
    }
}
