// ClipBlock: one pre-LN encoder layer x (B, T, W) → (B, T, W): x + attn(LN₁x), then + fc₂(QuickGELU(fc₁(LN₂x))),
// as bench/pytorch/vit_step.py's Block.
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TaskVectors.Bench.TorchSharp;

internal sealed class ClipBlock : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm layer_norm1, layer_norm2;
    private readonly ClipAttention self_attn;
    private readonly Linear fc1, fc2;
    private readonly QuickGelu act = new();

    public ClipBlock(long width, long heads, long mlp) : base("layer")
    {
        (layer_norm1, self_attn, layer_norm2) = (nn.LayerNorm(width), new ClipAttention(width, heads), nn.LayerNorm(width));
        (fc1, fc2) = (nn.Linear(width, mlp), nn.Linear(mlp, width));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        x = x + self_attn.forward(layer_norm1.forward(x));
        return x + fc2.forward(act.forward(fc1.forward(layer_norm2.forward(x))));
    }
}
