#!/usr/bin/env python3
"""PyTorch reference for the `kfac-table` verb: KFAC factor estimation with module hooks, as the TAK
reference code does, beside one forward + backward over the same images.

Same model and blocks as TaskVectors' KfacEstimator on the CLIP-layout ViT-tiny (28x28, patch 4, 1
channel, width 192, 6 layers, 3 heads): per batch one forward (forward hooks keep every Linear's input)
and one backward of s.f for s ~ N(0, I) (full backward hooks keep every output gradient), then
  A += (1/R) sum_r [a; 1][a; 1]^T,  G += (1/R) sum_r g g^T     (expand mode, R tokens, float32 products)
with q/k/v as one block (A once, G over the concatenated q/k/v gradients), the projection (no bias) as
its own block, and dense blocks F += sum_n g_n g_n^T for every LayerNorm's weight and bias and for the
class embedding, from per-sample gradients. Sums are accumulated in float64. Parameters do not require
gradients during the estimation (the images do, so the backward reaches every module), which spares
PyTorch the weight-gradient products, as TaskVectors spares its own (--param-grads keeps them, as a hook
run inside an ordinary training backward would).
  forward+backward: the same forward, and backward of s.f with every parameter's gradient.
Prints one JSON line with the median seconds over --runs rounds (the two passes alternate) and the
median of the per-round ratios.
Run with Debian's interpreter: /usr/bin/python3 bench/pytorch/kfac_hooks.py
"""
import argparse, json, statistics, time

import torch
import torch.nn as nn
import torch.nn.functional as F

from vit_step import CONFIGS, ClipVision


class Estimator:
    """Hooks on a ClipVision model that add one batch's KFAC contributions to float64 sums."""

    def __init__(self, model):
        self.model = model
        self.inputs, self.grads = {}, {}
        self.blocks = []  # (name, input module, output modules, bias)
        for i, layer in enumerate(model.layers):
            att = layer.self_attn
            self.blocks += [(f"{i}.qkv", att.q_proj, [att.q_proj, att.k_proj, att.v_proj], True),
                            (f"{i}.out", att.out_proj, [att.out_proj], True),
                            (f"{i}.fc1", layer.fc1, [layer.fc1], True),
                            (f"{i}.fc2", layer.fc2, [layer.fc2], True)]
        self.blocks.append(("proj", model.visual_projection, [model.visual_projection], False))
        self.norms = [m for m in model.modules() if isinstance(m, nn.LayerNorm)]
        self.A, self.G, self.F = {}, {}, {}
        for m in {m for b in self.blocks for m in [b[1]] + b[2]} | set(self.norms):
            m.register_forward_hook(self._keep_input)
            m.register_full_backward_hook(self._keep_grad)

    def _keep_input(self, module, inputs, output):
        self.inputs[module] = inputs[0].detach()

    def _keep_grad(self, module, grad_input, grad_output):
        self.grads[module] = grad_output[0].detach()
        if module is self.model.pre_layrnorm:
            self.class_grad = grad_input[0][:, 0].detach()  # the class embedding's per-sample gradient

    @staticmethod
    def _add(sums, key, rows, scale):
        gram = (rows.T @ rows).double() * scale
        sums[key] = sums[key] + gram if key in sums else gram

    def add_batch(self, x, s):
        out = self.model(x)
        out.backward(s)
        for name, source, members, bias in self.blocks:
            a = self.inputs[source]
            tokens = a.shape[1] if a.dim() == 3 else 1
            a = a.reshape(-1, a.shape[-1])
            if bias:
                a = torch.cat([a, torch.ones(a.shape[0], 1)], 1)
            g = torch.cat([self.grads[m].reshape(-1, m.out_features) for m in members], 1)
            self._add(self.A, name, a, 1.0 / tokens)
            self._add(self.G, name, g, 1.0 / tokens)
        for i, norm in enumerate(self.norms):
            x_in, gy = self.inputs[norm], self.grads[norm]
            xhat = F.layer_norm(x_in, norm.normalized_shape, eps=norm.eps)
            dims = tuple(range(1, gy.dim() - 1))
            gamma = (gy * xhat).sum(dims) if dims else gy * xhat
            beta = gy.sum(dims) if dims else gy
            self._add(self.F, f"ln{i}.weight", gamma, 1.0)
            self._add(self.F, f"ln{i}.bias", beta, 1.0)
        self._add(self.F, "class_embedding", self.class_grad, 1.0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=1024)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--param-grads", action="store_true",
                    help="keep parameter gradients on during the estimation (the reference's hooks run inside an ordinary backward)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    image, patch, channels, width, layers, heads, mlp, projection, _, _ = CONFIGS["vit-tiny"]
    model = ClipVision(image, patch, channels, width, layers, heads, mlp, projection)
    images = torch.randn(args.images, channels, image, image)
    batches = [images[i:i + args.batch] for i in range(0, args.images, args.batch)]

    def forward_backward():
        for p in model.parameters():
            p.requires_grad_(True)
        for x in batches:
            model.zero_grad(set_to_none=False)
            model(x).backward(torch.randn(x.shape[0], projection))

    def estimate():
        for p in model.parameters():
            p.requires_grad_(args.param_grads)
        est = Estimator(model)
        for x in batches:
            est.add_batch(x.clone().requires_grad_(True), torch.randn(x.shape[0], projection))
        for m in model.modules():
            m._forward_hooks.clear()
            m._backward_hooks.clear()
        return est

    est = estimate()  # warm-up round, and a check that every block was found
    assert len(est.A) == 4 * layers + 1 and len(est.F) == 2 * len(est.norms) + 1
    forward_backward()
    fb, kfac = [], []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        forward_backward()
        t1 = time.perf_counter()
        estimate()
        t2 = time.perf_counter()
        fb.append(t1 - t0)
        kfac.append(t2 - t1)
    print(json.dumps({"images": args.images, "batch": args.batch, "threads": args.threads,
                      "forward_backward_s": statistics.median(fb), "estimate_s": statistics.median(kfac),
                      "ratio": statistics.median(k / f for k, f in zip(kfac, fb))}), flush=True)


if __name__ == "__main__":
    main()
