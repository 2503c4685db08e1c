// SafetensorsMutator: seeded random corruptions of a valid safetensors file (byte and bit flips, size-prefix
// changes, truncation, extension, header insertions and deletions, digit and dtype swaps), shared by the
// mutation tests of every file kind the library reads.
using System.Buffers.Binary;
using System.Text;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.IO;

internal static class SafetensorsMutator
{
    private static readonly string[] DTypeNames = ["F32", "F16", "BF16", "F64", "I64", "U8", "BOOL", "F4", "C64", "F8_E4M3", "X9"];

    public static byte[] Mutate(byte[] valid, Rng rng, out int kind)
    {
        var bytes = (byte[])valid.Clone();
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(valid);
        int InHeader() => 8 + rng.NextInt(headerEnd - 8);
        byte Random() => (byte)rng.NextInt(256);
        kind = rng.NextInt(10);
        switch (kind)
        {
            case 0: // A few header bytes set to random values.
                for (int k = 1 + rng.NextInt(3); k > 0; k--) bytes[InHeader()] = Random();
                return bytes;
            case 1: // A few bits flipped anywhere, the size prefix and data included.
                for (int k = 1 + rng.NextInt(4); k > 0; k--) bytes[rng.NextInt(bytes.Length)] ^= (byte)(1 << rng.NextInt(8));
                return bytes;
            case 2: // A new size prefix: random, near the true one, or small.
                ulong size = rng.NextInt(3) switch
                {
                    0 => rng.NextUInt64() >> rng.NextInt(64),
                    1 => (ulong)(headerEnd - 8 + rng.NextInt(33) - 16),
                    _ => (ulong)rng.NextInt(16),
                };
                BinaryPrimitives.WriteUInt64LittleEndian(bytes, size);
                return bytes;
            case 3: // Truncated.
                return bytes[..rng.NextInt(bytes.Length)];
            case 4: // Extended with random bytes.
                var tail = new byte[1 + rng.NextInt(64)];
                for (int i = 0; i < tail.Length; i++) tail[i] = Random();
                return [.. bytes, .. tail];
            case 5: // A byte inserted into or deleted from the header, the prefix adjusted so only the JSON changes.
            {
                int at = InHeader();
                bool insert = rng.NextInt(2) == 0;
                byte[] changed = insert ? [.. bytes[..at], Random(), .. bytes[at..]] : [.. bytes[..at], .. bytes[(at + 1)..]];
                BinaryPrimitives.WriteUInt64LittleEndian(changed, (ulong)(headerEnd - 8 + (insert ? 1 : -1)));
                return changed;
            }
            case 6: // A digit replaced by another: shapes and offsets stop agreeing, or agree differently.
            {
                var digits = Enumerable.Range(8, headerEnd - 8).Where(i => bytes[i] is >= (byte)'0' and <= (byte)'9').ToArray();
                bytes[digits[rng.NextInt(digits.Length)]] = (byte)('0' + rng.NextInt(10));
                return bytes;
            }
            case 7: // A header byte replaced by JSON punctuation.
                bytes[InHeader()] = "{}[]\",:-.eE \\/0n"u8[rng.NextInt(16)];
                return bytes;
            case 8: // A dtype swapped for another name (valid, unsupported or unknown), the prefix adjusted.
            {
                string header = Encoding.UTF8.GetString(bytes, 8, headerEnd - 8);
                string[] present = ["F64", "F32", "BF16", "F16"];
                string from = "\"" + present[rng.NextInt(present.Length)] + "\"";
                string to = "\"" + DTypeNames[rng.NextInt(DTypeNames.Length)] + "\"";
                int index = header.IndexOf(from, StringComparison.Ordinal);
                if (index < 0) return bytes; // This file has no tensor of that dtype: the mutant is the valid file.
                header = header[..index] + to + header[(index + from.Length)..];
                return SafetensorsBytes.File(Encoding.UTF8.GetBytes(header), bytes[headerEnd..], pad: false);
            }
            default: // A header slice copied over another place.
            {
                int from = InHeader(), to = InHeader();
                int length = Math.Min(1 + rng.NextInt(12), Math.Min(headerEnd - from, headerEnd - to));
                Array.Copy(bytes, from, bytes, to, length);
                return bytes;
            }
        }
    }
}
