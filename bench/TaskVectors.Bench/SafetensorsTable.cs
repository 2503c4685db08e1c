// SafetensorsTable: the `safetensors-table` verb. Writes a ~500 MB file of 200 F32 tensors to a temp
// folder (deleted afterwards), then times opening it and reading every tensor — into new Tensors and
// into preallocated buffers — with a warm page cache and, on Linux, a cold one (the file's pages
// evicted with posix_fadvise(DONTNEED), which needs no root), printing median GB/s over several runs.
using System.Diagnostics;
using System.Runtime.InteropServices;
using TaskVectors.IO;
using TaskVectors.Tensors;

namespace TaskVectors.Bench;

internal static unsafe partial class SafetensorsTable
{
    public static void Run(string[] args)
    {
        int tensors = BenchTools.Option(args, "--tensors", 200);
        long megabytes = BenchTools.Option(args, "--mb", 500);
        int repeats = BenchTools.Option(args, "--repeats", 5);
        int rows = 625, cols = (int)(megabytes * 1_000_000 / tensors / sizeof(float) / rows);
        long dataBytes = (long)tensors * rows * cols * sizeof(float);

        string dir = Path.Combine(Path.GetTempPath(), "taskvectors-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "bench.safetensors");
        try
        {
            Console.WriteLine($"safetensors read throughput: {tensors} F32 tensors of [{rows}, {cols}], {dataBytes / 1e6:F0} MB of data; " +
                              $"{Environment.ProcessorCount} cores, .NET {Environment.Version}, median of {repeats} runs");
            var source = new Tensor(rows, cols);
            new Rng(1).FillUniform(source.Span, -1f, 1f);
            var names = Enumerable.Range(0, tensors).Select(i => $"encoder.layers.{i / 8}.w{i % 8}").ToArray();
            // One tensor under every name: the data's content does not affect read speed, and filling 500 MB of normals would dominate the run.
            var write = Measure(repeats: 1, () => SafetensorsWriter.Write(path, names.Select(n => (n, source)), new Dictionary<string, string> { ["format"] = "pt" }));
            Console.WriteLine($"{"write (fsync + rename)",-44} {dataBytes / write / 1e9,7:F2} GB/s");

            var buffers = names.Select(_ => new float[rows * cols]).ToArray();
            void ReadTensors()
            {
                using var file = SafetensorsFile.Open(path);
                foreach (var n in names) GC.KeepAlive(file.ReadTensor(n));
            }
            void ReadIntoBuffers()
            {
                using var file = SafetensorsFile.Open(path);
                for (int i = 0; i < names.Length; i++) file.ReadInto(names[i], buffers[i]);
            }
            double openOnly = Measure(repeats, () => SafetensorsFile.Open(path).Dispose());
            Console.WriteLine($"{"open (header only)",-44} {openOnly * 1e3,7:F2} ms");
            Report("warm: open + ReadTensor (new Tensor each)", dataBytes, Measure(repeats, ReadTensors));
            Report("warm: open + ReadInto (preallocated)", dataBytes, Measure(repeats, ReadIntoBuffers));
            using (var open = SafetensorsFile.Open(path))
            {
                void Again() { for (int i = 0; i < names.Length; i++) open.ReadInto(names[i], buffers[i]); }
                Again(); // Maps every page once; later passes measure the copy alone.
                Report("warm: ReadInto on an open, faulted-in file", dataBytes, Measure(repeats, Again));
            }
            if (OperatingSystem.IsLinux())
            {
                Report("cold: open + ReadInto (pages evicted)", dataBytes, Measure(repeats, ReadIntoBuffers, before: () => Evict(path)));
            }
            else
            {
                Console.WriteLine("cold: not measured (page eviction uses Linux posix_fadvise)");
            }
            ConversionKernels();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // Decoding speed of each dtype from memory (no file), in GB/s of float32 output.
    private static void ConversionKernels()
    {
        const int n = 16 << 20;
        var destination = new float[n];
        foreach (var dtype in new[] { SafetensorsDType.F32, SafetensorsDType.F16, SafetensorsDType.BF16, SafetensorsDType.F64 })
        {
            var source = new byte[(long)n * dtype.GetBitSize() / 8];
            new Random(3).NextBytes(source);
            fixed (byte* p = source)
            {
                byte* q = p;
                double seconds = Measure(5, () => SafetensorsConversion.ToSingle(dtype, q, destination));
                Console.WriteLine($"{"kernel " + dtype.GetHeaderName() + " -> float32 (in memory)",-44} {(double)n * sizeof(float) / seconds / 1e9,7:F2} GB/s out");
            }
        }
    }

    private static void Report(string label, long bytes, double seconds) =>
        Console.WriteLine($"{label,-44} {bytes / seconds / 1e9,7:F2} GB/s  ({seconds * 1e3:F0} ms)");

    // Median wall time of `repeats` runs after one warm-up run; `before` runs untimed ahead of each.
    private static double Measure(int repeats, Action action, Action? before = null)
    {
        before?.Invoke();
        action();
        var times = new double[repeats];
        for (int r = 0; r < repeats; r++)
        {
            before?.Invoke();
            GC.Collect();
            var clock = Stopwatch.StartNew();
            action();
            times[r] = clock.Elapsed.TotalSeconds;
        }
        Array.Sort(times);
        return times[repeats / 2];
    }

    private static void Evict(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        const int PosixFadviseDontNeed = 4;
        int rc = PosixFadvise((int)handle.DangerousGetHandle(), 0, 0, PosixFadviseDontNeed);
        if (rc != 0) throw new IOException($"posix_fadvise failed with {rc}.");
    }

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int PosixFadvise(int fd, long offset, long length, int advice);
}
