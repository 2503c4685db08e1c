#!/usr/bin/env bash
# Pretrains the vision row's base ViT on Fashion-MNIST into data/pretrained/vit-fashion: downloads Debian's
# dataset-fashion-mnist into a temporary folder without installing it, extracts it and runs PretrainVit.cs.
# Extra arguments (--steps N, --seed S) go to the program. Same seed, GEMM provider and kernel: same bytes.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download dataset-fashion-mnist=0.0~git20200523.55506a9-1 >/dev/null && dpkg-deb -x dataset-fashion-mnist_*.deb deb)
dotnet run -c Release "$root/tools/pretrain-vit/PretrainVit.cs" -- "$work/deb/usr/share/datasets/fashion-mnist" "$root/data/pretrained/vit-fashion" "$@"
