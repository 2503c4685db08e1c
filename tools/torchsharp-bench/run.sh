#!/usr/bin/env bash
# Starts the TorchSharp child of `vit-table --torchsharp` (bench/TaskVectors.Bench.TorchSharp), with the libstdc++
# shim that setup.sh built preloaded where this system needs one. Arguments and stdin go to the child.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dll="$here/../../bench/TaskVectors.Bench.TorchSharp/bin/Release/net10.0/TaskVectors.Bench.TorchSharp.dll"
if [ ! -f "$dll" ]; then
  echo "TorchSharp child not built: run tools/torchsharp-bench/setup.sh first" >&2
  exit 3
fi
if [ -f "$here/.runtime/preload" ]; then
  export LD_PRELOAD="$(cat "$here/.runtime/preload")${LD_PRELOAD:+:$LD_PRELOAD}"
fi
exec dotnet "$dll" "$@"
