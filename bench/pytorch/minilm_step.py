#!/usr/bin/env python3
"""PyTorch reference for the TaskVectors `minilm-table` bench: all-MiniLM-L6-v2 in plain torch.

A BertModel-equivalent (post-LayerNorm blocks, erf GELU, masked mean pooling + L2 normalization)
whose state-dict names are Hugging Face's, loaded strictly from the safetensors file the library
converted from the ONNX export (read with numpy; no safetensors package needed).
Protocol, so that the C# side can alternate rounds with its own passes in one run:
  stdin line 1: JSON {"batch", "seq", "ids", "types", "mask", "labels", "head", "scale"}
  stdout: {"ready": true, "embedding": [first row of f], "threads": n}
  then per stdin line "forward" or "train": {"pass": ..., "s": seconds of that one call}
Run with Debian's interpreter: /usr/bin/python3 bench/pytorch/minilm_step.py --weights model.safetensors
"""
import argparse, json, math, struct, sys, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            raise ValueError(f"{name}: dtype {info['dtype']}, expected F32")
        b, e = info["data_offsets"]
        tensors[name] = torch.from_numpy(np.frombuffer(data, dtype="<f4", count=(e - b) // 4, offset=b).reshape(info["shape"]).copy())
    return meta, tensors


def module(**children):
    m = nn.Module()
    for k, v in children.items():
        m.add_module(k, v)  # add_module allows Hugging Face's attribute name "self"
    return m


class Bert(nn.Module):
    def __init__(self, vocab, width, layers, heads, mlp, positions, types, eps):
        super().__init__()
        self.heads, self.eps = heads, eps
        self.embeddings = module(word_embeddings=nn.Embedding(vocab, width), position_embeddings=nn.Embedding(positions, width),
                                 token_type_embeddings=nn.Embedding(types, width), LayerNorm=nn.LayerNorm(width, eps))
        self.encoder = module(layer=nn.ModuleList(
            module(attention=module(self=module(query=nn.Linear(width, width), key=nn.Linear(width, width), value=nn.Linear(width, width)),
                                    output=module(dense=nn.Linear(width, width), LayerNorm=nn.LayerNorm(width, eps))),
                   intermediate=module(dense=nn.Linear(width, mlp)),
                   output=module(dense=nn.Linear(mlp, width), LayerNorm=nn.LayerNorm(width, eps)))
            for _ in range(layers)))
        self.pooler = module(dense=nn.Linear(width, width))

    def forward(self, ids, types, mask):
        b, t = ids.shape
        e = self.embeddings
        x = e.LayerNorm(e.word_embeddings(ids) + e.token_type_embeddings(types) + e.position_embeddings(torch.arange(t)))
        bias = (1.0 - mask)[:, None, None, :] * torch.finfo(torch.float32).min
        for layer in self.encoder.layer:
            a = getattr(layer.attention, "self")
            d = x.shape[-1] // self.heads
            def split(y):
                return y.view(b, t, self.heads, d).transpose(1, 2)
            q, k, v = split(a.query(x)), split(a.key(x)), split(a.value(x))
            p = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d) + bias, dim=-1)
            x = layer.attention.output.LayerNorm(x + layer.attention.output.dense((p @ v).transpose(1, 2).reshape(b, t, -1)))
            x = layer.output.LayerNorm(x + layer.output.dense(F.gelu(layer.intermediate.dense(x))))
        m = mask[:, :, None]
        return F.normalize((x * m).sum(1) / m.sum(1), dim=-1)  # sentence-transformers' mean pooling + L2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", required=True)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    meta, tensors = load_safetensors(args.weights)
    model = Bert(int(meta["vocab_size"]), int(meta["hidden_size"]), int(meta["num_hidden_layers"]), int(meta["num_attention_heads"]),
                 int(meta["intermediate_size"]), int(meta["max_position_embeddings"]), int(meta["type_vocab_size"]), float(meta["layer_norm_eps"]))
    model.load_state_dict(tensors, strict=True)

    spec = json.loads(sys.stdin.readline())
    shape = (spec["batch"], spec["seq"])
    ids = torch.tensor(spec["ids"], dtype=torch.long).view(shape)
    types = torch.tensor(spec["types"], dtype=torch.long).view(shape)
    mask = torch.tensor(spec["mask"], dtype=torch.float32).view(shape)
    labels = torch.tensor(spec["labels"], dtype=torch.long)
    head = F.normalize(torch.tensor(spec["head"], dtype=torch.float32).view(-1, model.embeddings.word_embeddings.weight.shape[1]), dim=-1)
    scale = float(spec["scale"])

    def forward():
        with torch.no_grad():
            return model(ids, types, mask)

    def train():
        model.zero_grad(set_to_none=False)
        F.cross_entropy(scale * model(ids, types, mask) @ head.T, labels).backward()

    first = forward()[0]
    print(json.dumps({"ready": True, "threads": torch.get_num_threads(), "torch": torch.__version__, "embedding": first.tolist()}), flush=True)
    passes = {"forward": forward, "train": train}
    for line in sys.stdin:
        name = line.strip()
        if not name:
            continue
        t0 = time.perf_counter()
        passes[name]()
        print(json.dumps({"pass": name, "s": time.perf_counter() - t0}), flush=True)


if __name__ == "__main__":
    main()
