#!/usr/bin/env python3
"""Prints the accent-folding table of src/TaskVectors/Data/AccentFolding.cs: every BMP character whose NFD is one
base character followed only by non-spacing marks (category Mn), paired with that base character. This is what
BERT's uncased normalization (NFD, then drop Mn) does to precomposed letters; .NET cannot do it where
InvariantGlobalization is on (string.Normalize is then a no-op), hence the table. Run: python3 bench/inputs/accent_table.py"""
import unicodedata

pairs = []
for cp in range(0x00C0, 0x10000):
    if 0xD800 <= cp < 0xE000:
        continue
    c = chr(cp)
    d = unicodedata.normalize("NFD", c)
    if d == c or len(d) < 2:
        continue
    base, marks = d[0], d[1:]
    if all(unicodedata.category(m) == "Mn" for m in marks) and unicodedata.category(base) != "Mn":
        pairs.append((cp, ord(base)))
print(f"// {len(pairs)} pairs (Unicode {unicodedata.unidata_version})")
line = []
for cp, base in pairs:
    line.append(f"\\u{cp:04X}\\u{base:04X}")
    if len(line) == 12:
        print('        "' + "".join(line) + '" +')
        line = []
if line:
    print('        "' + "".join(line) + '";')
