// ClipAttention: multi-head self-attention x (B, T, W) → (B, T, W) with separate q/k/v/out projections, as
// bench/pytorch/vit_step.py's Attention: softmax(q·kᵀ/√d)·v per head, heads split as (B, H, T, W/H).
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TaskVectors.Bench.TorchSharp;

internal sealed class ClipAttention : nn.Module<Tensor, Tensor>
{
    private readonly Linear q_proj, k_proj, v_proj, out_proj; // field names become the parameter names, as in PyTorch
    private readonly long _heads, _headDim;

    public ClipAttention(long width, long heads) : base("self_attn")
    {
        (_heads, _headDim) = (heads, width / heads);
        (q_proj, k_proj, v_proj, out_proj) = (nn.Linear(width, width), nn.Linear(width, width), nn.Linear(width, width), nn.Linear(width, width));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        long b = x.shape[0], t = x.shape[1], c = x.shape[2];
        Tensor Split(Tensor y) => y.view(b, t, _heads, _headDim).transpose(1, 2);
        var (q, k, v) = (Split(q_proj.forward(x)), Split(k_proj.forward(x)), Split(v_proj.forward(x)));
        var p = softmax(q.matmul(k.transpose(-1, -2)) / Math.Sqrt(_headDim), -1);
        return out_proj.forward(p.matmul(v).transpose(1, 2).reshape(b, t, c));
    }
}
