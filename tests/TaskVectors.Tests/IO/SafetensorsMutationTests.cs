// Mutation test of SafetensorsFile: thousands of seeded random corruptions of a valid mixed-dtype file
// (byte and bit flips, size-prefix changes, truncation, extension, header insertions and deletions,
// digit and dtype swaps). Opening and reading every tensor must either succeed or throw
// SafetensorsFormatException — never another exception, a crash or a hang.
using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using TaskVectors.IO;
using TaskVectors.Tensors;
using Xunit.Abstractions;

namespace TaskVectors.Tests.IO;

public sealed class SafetensorsMutationTests(ITestOutputHelper output) : IDisposable
{
    private const int Cases = 4000;
    private static readonly string[] DTypeNames = ["F32", "F16", "BF16", "F64", "I64", "U8", "BOOL", "F4", "C64", "F8_E4M3", "X9"];
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] ValidFile()
    {
        const string json =
            "{\"__metadata__\":{\"format\":\"pt\",\"base\":\"vit-b-32\"}," +
            "\"d\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}," +
            "\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[16,40]}," +
            "\"b\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[40,48]}," +
            "\"h\":{\"dtype\":\"F16\",\"shape\":[3,1],\"data_offsets\":[48,54]}," +
            "\"e\":{\"dtype\":\"F32\",\"shape\":[0,7],\"data_offsets\":[54,54]}}";
        var data = SafetensorsBytes.Concat(
            SafetensorsBytes.Doubles(1.5, -2.25),
            SafetensorsBytes.Singles(1f, 2f, 3f, 4f, 5f, 6f),
            SafetensorsBytes.UInt16s(0x3F80, 0xBF00, 0x4049, 0x0000),
            SafetensorsBytes.UInt16s(0x3C00, 0xC000, 0x3800));
        return SafetensorsBytes.File(json, data);
    }

    private static byte[] Mutate(byte[] valid, Rng rng, out int kind)
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

    [Fact]
    public async Task Open_RandomMutations_OnlyFormatExceptionNeverCrashOrHang()
    {
        byte[] valid = ValidFile();
        string path = _dir.File("mutant.safetensors");
        File.WriteAllBytes(path, valid);
        using (var check = SafetensorsFile.Open(path)) check.Tensors.Count.ShouldBe(5);

        var rng = new Rng(20260217);
        int opened = 0, rejected = 0;
        var slowest = TimeSpan.Zero;
        var unexpected = new List<string>();
        var work = Task.Run(() =>
        {
            for (int i = 0; i < Cases; i++)
            {
                byte[] mutant = Mutate(valid, rng, out int kind);
                File.WriteAllBytes(path, mutant);
                var clock = Stopwatch.StartNew();
                try
                {
                    using var file = SafetensorsFile.Open(path);
                    foreach (var info in file.Tensors)
                    {
                        file.TryGetInfo(info.Name, out _).ShouldBeTrue();
                        if (!info.DType.IsReadableAsSingle()) continue;
                        var t = file.ReadTensor(info.Name);
                        file.ReadInto(info.Name, t.Span);
                    }
                    opened++;
                }
                catch (SafetensorsFormatException e)
                {
                    if (!e.Message.Contains("mutant.safetensors", StringComparison.Ordinal)) unexpected.Add($"case {i} (kind {kind}): message lacks the file: {e.Message}");
                    rejected++;
                }
                catch (Exception e)
                {
                    unexpected.Add($"case {i} (kind {kind}): {e.GetType().Name}: {e.Message}\n{Convert.ToHexString(mutant)}");
                }
                if (clock.Elapsed > slowest) slowest = clock.Elapsed;
            }
        });

        // A hang fails the test instead of stalling the run.
        (await Task.WhenAny(work, Task.Delay(TimeSpan.FromSeconds(120)))).ShouldBeSameAs(work, "the mutation loop hung");
        await work;
        output.WriteLine($"{Cases} mutants: {opened} opened and read, {rejected} rejected; slowest case {slowest.TotalMilliseconds:F1} ms.");
        unexpected.ShouldBeEmpty();
        (opened + rejected).ShouldBe(Cases);
        rejected.ShouldBeGreaterThan(Cases / 2);
        opened.ShouldBeGreaterThan(Cases / 50); // Data-only mutations and benign header edits stay valid.
        slowest.ShouldBeLessThan(TimeSpan.FromSeconds(2));
    }
}
