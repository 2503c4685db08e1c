// QuickGelu: CLIP's activation, x (…) → x·σ(1.702·x) (…), as bench/pytorch/vit_step.py's QuickGELU.
using TorchSharp;
using static TorchSharp.torch;

namespace TaskVectors.Bench.TorchSharp;

internal sealed class QuickGelu() : nn.Module<Tensor, Tensor>("act")
{
    public override Tensor forward(Tensor x) => x * sigmoid(1.702 * x);
}
