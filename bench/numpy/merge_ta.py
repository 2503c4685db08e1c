# merge_ta.py: the numpy baseline of the merge-table bench: task arithmetic over safetensors task-vector files with
# numpy memmaps, tensor by tensor (out = Σ_t τ_t in float32), written as F32 safetensors to a temporary file that is
# fsynced and renamed, like the library's streaming merge. Prints one JSON line: seconds (merge only, after imports),
# bytes read, peak RSS (VmHWM, kB).
# Usage: /usr/bin/python3 merge_ta.py OUTPUT INPUT...
import json, os, struct, sys, time

import numpy as np


def header(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        return json.loads(f.read(n)), 8 + n


def main():
    output, inputs = sys.argv[1], sys.argv[2:]
    start = time.perf_counter()
    maps, headers = [], []
    for path in inputs:
        h, offset = header(path)
        headers.append((h, offset))
        maps.append(np.memmap(path, dtype=np.uint8, mode="r"))
    names = sorted(k for k in headers[0][0] if k != "__metadata__")
    layout, offset = {}, 0
    for name in names:
        e = headers[0][0][name]
        size = (e["data_offsets"][1] - e["data_offsets"][0])
        layout[name] = {"dtype": "F32", "shape": e["shape"], "data_offsets": [offset, offset + size]}
        offset += size
    text = json.dumps({"__metadata__": {"merge_method": "task_arithmetic"}, **layout}, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    temporary = output + ".tmp"
    read = 0
    with open(temporary, "wb") as out:
        out.write(struct.pack("<Q", len(text)) + text)
        for name in names:
            total = None
            for m, (h, base) in zip(maps, headers):
                b, e = h[name]["data_offsets"]
                x = m[base + b: base + e].view(np.float32)
                read += e - b
                if total is None:
                    total = x.copy()
                else:
                    np.add(total, x, out=total)
            out.write(total.tobytes())
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, output)
    seconds = time.perf_counter() - start
    with open("/proc/self/status") as f:
        hwm = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    print(json.dumps({"seconds": seconds, "bytes_read": read, "peak_rss_kb": hwm}))


main()
