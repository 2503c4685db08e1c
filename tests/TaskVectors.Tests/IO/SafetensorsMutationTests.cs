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
                byte[] mutant = SafetensorsMutator.Mutate(valid, rng, out int kind);
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
