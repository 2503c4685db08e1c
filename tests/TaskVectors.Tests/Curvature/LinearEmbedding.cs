// LinearEmbedding: a test-only embedding model with one Linear layer, so KFAC has a closed-form ground
// truth: x (B, T, in) → y = x Wᵀ + b (B, T, out) → token mean (B, out) → optionally x/‖x‖. With T = 1 and no
// normalization f = W x + b exactly, whose Jacobian with respect to [W | b] is Kronecker-structured.
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Curvature;

internal sealed class LinearEmbedding : IEmbeddingModel<Tensor>
{
    private readonly L2Normalize? _normalize;
    private Tensor? _pooled, _tanPooled, _gradTokens;
    private int _tokens;

    public LinearEmbedding(int inFeatures, int outFeatures, bool normalize, bool bias = true, ulong seed = 1)
    {
        var root = new ModuleScope();
        Layer = root.Add("proj", n => new Linear(n, inFeatures, outFeatures, bias));
        Registration = root.Build();
        var rng = new Rng(seed);
        rng.FillNormal(Layer.Weight.Value.Span, 0f, 0.7f);
        if (Layer.Bias is not null) rng.FillNormal(Layer.Bias.Value.Span, 0f, 0.5f);
        _normalize = normalize ? new L2Normalize() : null;
    }

    public Linear Layer { get; }

    public int EmbeddingDim => Layer.OutFeatures;

    public ModelRegistration Registration { get; }

    public IReadOnlyList<Parameter> Parameters => Layer.Parameters;

    public Tensor Forward(Tensor input)
    {
        var pooled = Pool(Layer.Forward(input), ref _pooled);
        return _normalize is null ? pooled : _normalize.Forward(pooled);
    }

    public void Backward(Tensor gradEmbedding)
    {
        var g = _normalize is null ? gradEmbedding : _normalize.Backward(gradEmbedding);
        int batch = g.Dim(0), width = Layer.OutFeatures;
        var gy = Tensor.Ensure(ref _gradTokens, batch, _tokens, width);
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < _tokens; t++)
                TensorMath.Scale(g.Span.Slice(b * width, width), 1f / _tokens, gy.Span.Slice((b * _tokens + t) * width, width));
        Layer.Backward(gy);
    }

    public Dual Jvp(Tensor input)
    {
        var (y, tan) = Layer.Jvp(input, null);
        var pooled = Pool(y, ref _pooled);
        var tanPooled = Pool(tan, ref _tanPooled);
        return _normalize is null ? new Dual(pooled, tanPooled) : _normalize.Jvp(pooled, tanPooled);
    }

    // (B, T, out) → (B, out), the mean over tokens.
    private Tensor Pool(Tensor y, ref Tensor? buffer)
    {
        int batch = y.Dim(0), width = Layer.OutFeatures;
        _tokens = y.Dim(1);
        var pooled = Tensor.Ensure(ref buffer, batch, width);
        pooled.Clear();
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < _tokens; t++)
                TensorMath.AddScaled(y.Span.Slice((b * _tokens + t) * width, width), 1f / _tokens, pooled.Span.Slice(b * width, width));
        return pooled;
    }
}
