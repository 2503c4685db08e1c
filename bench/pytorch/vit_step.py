#!/usr/bin/env python3
"""PyTorch reference timings for the TaskVectors ViT benchmarks (CLIP vision-tower layout).

Times, on the same shapes as bench/TaskVectors.Bench's `vit-table` verb:
  train: forward + backward of cross-entropy through a cosine head on the L2-normalized embedding
  forward: forward only (no grad)
  jvp: functorch.jvp of the embedding w.r.t. all encoder parameters (the linearized-model pass)
Prints one JSON line per config with median seconds over --runs runs.
Run with Debian's interpreter: /usr/bin/python3 bench/pytorch/vit_step.py
"""
import argparse, json, math, statistics, time

import torch
import torch.nn as nn
import torch.nn.functional as F
from functorch import jvp, make_functional

CONFIGS = {
    # name: (image, patch, channels, width, layers, heads, mlp, projection, batch, classes)
    "vit-tiny": (28, 4, 1, 192, 6, 3, 768, 192, 64, 10),
    "vit-b32": (224, 32, 3, 768, 12, 12, 3072, 512, 8, 10),
}


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(dim, dim) for _ in range(4))

    def forward(self, x):
        b, t, c = x.shape
        def split(y):
            return y.view(b, t, self.heads, self.head_dim).transpose(1, 2)
        q, k, v = split(self.q_proj(x)), split(self.k_proj(x)), split(self.v_proj(x))
        p = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(self.head_dim), dim=-1)
        return self.out_proj((p @ v).transpose(1, 2).reshape(b, t, c))


class Block(nn.Module):
    def __init__(self, dim, heads, mlp):
        super().__init__()
        self.layer_norm1, self.self_attn = nn.LayerNorm(dim), Attention(dim, heads)
        self.layer_norm2 = nn.LayerNorm(dim)
        self.fc1, self.act, self.fc2 = nn.Linear(dim, mlp), QuickGELU(), nn.Linear(mlp, dim)

    def forward(self, x):
        x = x + self.self_attn(self.layer_norm1(x))
        return x + self.fc2(self.act(self.fc1(self.layer_norm2(x))))


class ClipVision(nn.Module):
    def __init__(self, image, patch, channels, width, layers, heads, mlp, projection):
        super().__init__()
        n = (image // patch) ** 2
        self.patch_embedding = nn.Conv2d(channels, width, patch, patch, bias=False)
        self.class_embedding = nn.Parameter(torch.randn(width) * 0.02)
        self.position_embedding = nn.Parameter(torch.randn(n + 1, width) * 0.02)
        self.pre_layrnorm = nn.LayerNorm(width)
        self.layers = nn.ModuleList(Block(width, heads, mlp) for _ in range(layers))
        self.post_layernorm = nn.LayerNorm(width)
        self.visual_projection = nn.Linear(width, projection, bias=False)

    def forward(self, x):
        x = self.patch_embedding(x).flatten(2).transpose(1, 2)
        cls = self.class_embedding.expand(x.shape[0], 1, -1)
        x = self.pre_layrnorm(torch.cat([cls, x], 1) + self.position_embedding)
        for layer in self.layers:
            x = layer(x)
        return F.normalize(self.visual_projection(self.post_layernorm(x[:, 0])), dim=-1)


def median_time(fn, runs, warmup=2):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--configs", default="vit-tiny,vit-b32")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    for name in args.configs.split(","):
        image, patch, channels, width, layers, heads, mlp, projection, batch, classes = CONFIGS[name]
        model = ClipVision(image, patch, channels, width, layers, heads, mlp, projection)
        head = F.normalize(torch.randn(classes, projection), dim=-1)
        x = torch.randn(batch, channels, image, image)
        y = torch.randint(0, classes, (batch,))

        def train():
            model.zero_grad(set_to_none=False)
            F.cross_entropy(100.0 * model(x) @ head.T, y).backward()

        def forward():
            with torch.no_grad():
                model(x)

        fmodel, params = make_functional(model)
        tangents = tuple(torch.randn_like(p) * 1e-3 for p in params)

        def jvp_step():
            jvp(lambda *p: fmodel(p, x), params, tangents)

        result = {"config": name, "threads": args.threads, "batch": batch,
                  "train_s": median_time(train, args.runs),
                  "forward_s": median_time(forward, args.runs),
                  "jvp_s": median_time(jvp_step, args.runs)}
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
