#!/usr/bin/env python3
"""PyTorch reference timings for one fine-tuning optimizer step of the CLIP-layout ViT-tiny (batch 64),
the shapes of bench/TaskVectors.Bench's `finetune-table` verb:
  non-linear: forward + cosine head + cross-entropy + backward + AdamW step on all parameters
  linearized: the reference implementation's LinearizedModel (tangent task arithmetic): functorch.jvp of
              the model at θ0 in the direction τ = θ − θ0, f_lin = f(x; θ0) + J·τ, cross-entropy, backward
              to θ through the JVP, AdamW step
Prints one JSON line with median seconds per step over --runs runs.
Run with Debian's interpreter: /usr/bin/python3 bench/pytorch/finetune_step.py
"""
import argparse, json, os, sys

import torch
import torch.nn.functional as F
from functorch import jvp, make_functional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vit_step import CONFIGS, ClipVision, median_time  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="vit-tiny")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    image, patch, channels, width, layers, heads, mlp, projection, batch, classes = CONFIGS[args.config]
    model = ClipVision(image, patch, channels, width, layers, heads, mlp, projection)
    head = F.normalize(torch.randn(classes, projection), dim=-1)
    x = torch.randn(batch, channels, image, image)
    y = torch.randint(0, classes, (batch,))

    opt = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.1)

    def nonlinear():
        opt.zero_grad(set_to_none=False)
        F.cross_entropy(100.0 * model(x) @ head.T, y).backward()
        opt.step()

    fmodel, params0 = make_functional(model)
    params0 = tuple(p.detach() for p in params0)
    params = [torch.nn.Parameter(p.clone()) for p in params0]
    lin_opt = torch.optim.AdamW(params, lr=3e-4, weight_decay=0.1)

    def linearized():
        lin_opt.zero_grad(set_to_none=False)
        dparams = tuple(p - p0 for p, p0 in zip(params, params0))
        out, dp = jvp(lambda *p: fmodel(p, x), params0, dparams)
        F.cross_entropy(100.0 * (out + dp) @ head.T, y).backward()
        lin_opt.step()

    print(json.dumps({"config": args.config, "threads": args.threads, "batch": batch,
                      "nonlinear_s": median_time(nonlinear, args.runs),
                      "linearized_s": median_time(linearized, args.runs)}), flush=True)


if __name__ == "__main__":
    main()
