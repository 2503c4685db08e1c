// ClipVision: the CLIP vision tower with its projection, images (B, C, S, S) → L2-normalized embeddings (B, D), as
// bench/pytorch/vit_step.py's ClipVision: patch conv (no bias) → [class; patches] + positions → pre-LN → blocks →
// post-LN of the class token → projection (no bias) → x/‖x‖.
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TaskVectors.Bench.TorchSharp;

internal sealed class ClipVision : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d patch_embedding;
    private readonly Parameter class_embedding, position_embedding;
    private readonly LayerNorm pre_layrnorm, post_layernorm;
    private readonly ModuleList<ClipBlock> layers;
    private readonly Linear visual_projection;

    public ClipVision(VitShape s) : base("vision_model")
    {
        long patches = (s.Image / s.Patch) * (s.Image / s.Patch);
        patch_embedding = nn.Conv2d(s.Channels, s.Width, s.Patch, stride: s.Patch, bias: false);
        class_embedding = nn.Parameter(randn(s.Width) * 0.02);
        position_embedding = nn.Parameter(randn(patches + 1, s.Width) * 0.02);
        pre_layrnorm = nn.LayerNorm(s.Width);
        layers = nn.ModuleList(Enumerable.Range(0, s.Layers).Select(_ => new ClipBlock(s.Width, s.Heads, s.Mlp)).ToArray());
        post_layernorm = nn.LayerNorm(s.Width);
        visual_projection = nn.Linear(s.Width, s.Projection, hasBias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        x = patch_embedding.forward(x).flatten(2).transpose(1, 2);
        var cls = class_embedding.expand(x.shape[0], 1, -1);
        x = pre_layrnorm.forward(cat([cls, x], 1) + position_embedding);
        foreach (var layer in layers) x = layer.forward(x);
        return nn.functional.normalize(visual_projection.forward(post_layernorm.forward(x.select(1, 0))), dim: -1);
    }
}
