// VitPasses: the three passes of bench/pytorch/vit_step.py for one shape, each timed alone in seconds:
//   train:   zero grads, logits (B, K) = 100·f(x)·Hᵀ, cross-entropy, backward to every parameter
//   forward: f(x) (B, D) without autograd
//   jvp:     J_θ f(x)·θ̇ (B, D) for tangents θ̇ on every parameter. TorchSharp has no forward-mode AD, so this is
//            torch.autograd.functional.jvp's double-backward trick: g(u) = (∂f/∂θ)ᵀu with u = 0 requiring grad,
//            then J·θ̇ = ∂⟨g(u), θ̇⟩/∂u.
using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace TaskVectors.Bench.TorchSharp;

internal sealed class VitPasses
{
    private readonly ClipVision _model;
    private readonly Tensor _images, _labels, _head;
    private readonly Tensor[] _parameters, _tangents;

    public VitPasses(VitShape s)
    {
        manual_seed(0);
        _model = new ClipVision(s);
        _head = nn.functional.normalize(randn(s.Classes, s.Projection), dim: -1);
        _images = randn(s.Batch, s.Channels, s.Image, s.Image);
        _labels = randint(s.Classes, [s.Batch]);
        _parameters = [.. _model.parameters()];
        _tangents = [.. _parameters.Select(p => randn_like(p) * 1e-3)];
    }

    /// <summary>Number of scalar parameters (the parent checks it against its own model's).</summary>
    public long ParameterCount => _parameters.Sum(p => p.numel());

    public double Time(string pass)
    {
        Action run = pass switch
        {
            "train" => Train,
            "forward" => Forward,
            "jvp" => Jvp,
            _ => throw new ArgumentException($"unknown pass '{pass}' (train, forward, jvp)", nameof(pass)),
        };
        long start = Stopwatch.GetTimestamp();
        run();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private void Train()
    {
        _model.zero_grad(set_to_none: false);
        using var scope = NewDisposeScope();
        nn.functional.cross_entropy(100.0 * _model.forward(_images).matmul(_head.T), _labels).backward();
    }

    private void Forward()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        _model.forward(_images);
    }

    private void Jvp()
    {
        using var scope = NewDisposeScope();
        JvpOutput();
    }

    // J·θ̇ (B, D) by the double-backward trick.
    private Tensor JvpOutput()
    {
        var y = _model.forward(_images);
        var u = zeros_like(y).requires_grad_();
        var g = autograd.grad([y], _parameters, [u], create_graph: true);
        return autograd.grad(g, [u], _tangents)[0];
    }

    /// <summary>
    /// max |J·θ̇ − (f(θ + θ̇) − f(θ − θ̇))/2| / max |(f(θ + θ̇) − f(θ − θ̇))/2|: the timed JVP checked against a central
    /// difference (θ̇ ~ 10⁻³, so float32 rounding leaves ~10⁻³ of relative difference); the parameters are restored.
    /// </summary>
    public double CheckJvp()
    {
        using var scope = NewDisposeScope();
        var jvp = JvpOutput().detach();
        using var noGrad = no_grad();
        var saved = _parameters.Select(p => p.detach().clone()).ToArray();
        Tensor At(double sign)
        {
            for (int i = 0; i < _parameters.Length; i++) _parameters[i].copy_(saved[i]).add_(_tangents[i], alpha: sign);
            return _model.forward(_images);
        }
        var difference = (At(+1) - At(-1)) / 2;
        for (int i = 0; i < _parameters.Length; i++) _parameters[i].copy_(saved[i]);
        return ((jvp - difference).abs().max() / difference.abs().max()).item<float>();
    }
}
