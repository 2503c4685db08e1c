// ResidualMlp: a test-only model with a residual branch and hand-written passes, the shape a new user
// writes first: x (B, D) → h₁ = fc1(x) → h = h₁ + fc2(h₁) → [h ⊙ s] → f = fc3(h) (B, C). Its Backward can add the
// residual gradient in place into the tensor fc3 handed back — which fc2 still holds as its output gradient
// (issue 16's failure (a)) — or into a tensor of its own; a third variant forgets the residual gradient (a bug).
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Curvature;

internal enum ResidualBackward { Separate, InPlace, Forgotten }

internal sealed class ResidualMlp : IEmbeddingModel<Tensor>
{
    private readonly ResidualBackward _backward;
    private Tensor? _h, _th, _scaled, _tanScaled, _gradTotal, _gradScaled;

    public ResidualMlp(int width, int outputs, ResidualBackward backward = ResidualBackward.Separate, bool scale = false,
        bool excludeScale = false, ulong seed = 5)
    {
        _backward = backward;
        var root = new ModuleScope();
        var block = root.Push("block");
        Fc1 = block.Add("fc1", n => new Linear(n, width, width));
        Fc2 = block.Add("fc2", n => new Linear(n, width, width));
        if (scale)
        {
            Scale = root.Add(new Parameter(root.NameOf("scale"), new Tensor(width)));
            if (excludeScale) root.Exclude(Scale);
        }
        Fc3 = root.Add("head", n => new Linear(n, width, outputs));
        Registration = root.Build();
        var rng = new Rng(seed);
        foreach (var p in Parameters) rng.FillNormal(p.Value.Span, 0f, 0.5f);
        if (Scale is not null) foreach (ref float v in Scale.Value.Span) v += 1f;
    }

    public Linear Fc1 { get; }
    public Linear Fc2 { get; }
    public Linear Fc3 { get; }
    public Parameter? Scale { get; }

    public ModelRegistration Registration { get; }
    public IReadOnlyList<Parameter> Parameters => Registration.Parameters;
    public int EmbeddingDim => Fc3.OutFeatures;

    public Tensor Forward(Tensor input)
    {
        var h1 = Fc1.Forward(input);
        var h = Tensor.Ensure(ref _h, h1.Shape);
        TensorMath.Add(h1.Span, Fc2.Forward(h1).Span, h.Span);
        return Fc3.Forward(Scaled(h));
    }

    public void Backward(Tensor gradEmbedding)
    {
        var g = Fc3.Backward(gradEmbedding);
        if (Scale is not null)
        {
            // ∂L/∂s = Σ_n g ⊙ h, ∂L/∂h = g ⊙ s.
            int width = Scale.Length;
            for (int r = 0; r < (Scale.RequiresGrad ? g.Length / width : 0); r++)
            {
                var row = g.Span.Slice(r * width, width);
                var hRow = _h!.Span.Slice(r * width, width);
                for (int i = 0; i < width; i++) Scale.Grad[i] += row[i] * hRow[i];
            }
            var scaled = Tensor.Ensure(ref _gradScaled, g.Shape);
            TensorMath.Multiply(g.Span, BroadcastScale(g.Length), scaled.Span);
            g = scaled;
        }
        var branch = Fc2.Backward(g);
        switch (_backward)
        {
            case ResidualBackward.InPlace:
                TensorMath.AddInPlace(branch.Span, g.Span); // ∂L/∂h₁ = g + fc2ᵀ(g), written over the g fc2 still holds
                Fc1.Backward(g);
                break;
            case ResidualBackward.Separate:
                var total = Tensor.Ensure(ref _gradTotal, g.Shape);
                TensorMath.Add(g.Span, branch.Span, total.Span);
                Fc1.Backward(total);
                break;
            default:
                Fc1.Backward(branch);
                break;
        }
    }

    public Dual Jvp(Tensor input)
    {
        var d1 = Fc1.Jvp(input, null);
        var d2 = Fc2.Jvp(d1.Primal, d1.Tangent);
        var h = Tensor.Ensure(ref _h, d1.Primal.Shape);
        var th = Tensor.Ensure(ref _th, d1.Primal.Shape);
        TensorMath.Add(d1.Primal.Span, d2.Primal.Span, h.Span);
        TensorMath.Add(d1.Tangent.Span, d2.Tangent.Span, th.Span);
        if (Scale is null) return Fc3.Jvp(h, th);
        var tan = Tensor.Ensure(ref _tanScaled, h.Shape);
        TensorMath.Multiply(th.Span, BroadcastScale(th.Length), tan.Span);
        if (Scale.Tangent is { } ts)
            for (int r = 0; r < h.Length / Scale.Length; r++)
                for (int i = 0; i < Scale.Length; i++) tan[r * Scale.Length + i] += h[r * Scale.Length + i] * ts[i];
        return Fc3.Jvp(Scaled(h), tan);
    }

    private Tensor Scaled(Tensor h)
    {
        if (Scale is null) return h;
        var y = Tensor.Ensure(ref _scaled, h.Shape);
        TensorMath.Multiply(h.Span, BroadcastScale(h.Length), y.Span);
        return y;
    }

    private float[]? _broadcast;

    private ReadOnlySpan<float> BroadcastScale(int length)
    {
        if (_broadcast is null || _broadcast.Length != length) _broadcast = new float[length];
        var scale = Scale!;
        for (int off = 0; off < length; off += scale.Length) scale.Value.Span.CopyTo(_broadcast.AsSpan(off));
        return _broadcast;
    }
}
