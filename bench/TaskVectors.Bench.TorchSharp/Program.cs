// The TorchSharp child of `vit-table --torchsharp`: the line protocol of bench/TaskVectors.Bench's PyTorchProcess.
//   stdin line 1: JSON {"threads": N, "shapes": [VitShape, …]}; answered by one JSON line {"torchsharp", "libtorch",
//   "threads", "parameters": {name: count}, "jvp_check": {name: relative difference of the JVP from a
//   central difference}} once every model is built and checked;
//   then per stdin line "<shape> <pass>" (pass: train, forward, jvp) or "gemm <n>" (one n×n·n×n matmul):
//   {"pass": …, "s": seconds of that one call}. Ends at end of input.
using System.Text.Json;
using TaskVectors.Bench.TorchSharp;
using TorchSharp;
using static TorchSharp.torch;

var options = new JsonSerializerOptions { PropertyNameCaseInsensitive = true };
var setup = JsonSerializer.Deserialize<Setup>(Console.ReadLine() ?? throw new InvalidOperationException("no setup line on stdin"), options)
            ?? throw new InvalidOperationException("empty setup line");
set_num_threads(setup.Threads);
var passes = setup.Shapes.ToDictionary(s => s.Name, s => new VitPasses(s));
Console.WriteLine(JsonSerializer.Serialize(new
{
    torchsharp = typeof(torch).Assembly.GetName().Version?.ToString(),
    libtorch = __version__,
    threads = get_num_threads(),
    parameters = passes.ToDictionary(p => p.Key, p => p.Value.ParameterCount),
    jvp_check = passes.ToDictionary(p => p.Key, p => p.Value.CheckJvp()),
}));

var gemm = new Dictionary<int, (Tensor A, Tensor B)>();
string? line;
while ((line = Console.ReadLine()) is not null)
{
    string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    if (words.Length != 2) throw new InvalidOperationException($"expected '<shape> <pass>' or 'gemm <n>', got '{line}'");
    double seconds = words[0] == "gemm" ? TimeGemm(int.Parse(words[1], System.Globalization.CultureInfo.InvariantCulture)) : passes[words[0]].Time(words[1]);
    Console.WriteLine(JsonSerializer.Serialize(new { pass = line, s = seconds }));
}

// One n×n·n×n float32 matmul (libtorch's MKL sgemm), operands drawn once per n.
double TimeGemm(int n)
{
    if (!gemm.TryGetValue(n, out var operands)) gemm[n] = operands = (randn(n, n), randn(n, n));
    using var noGrad = no_grad();
    using var scope = NewDisposeScope();
    long start = System.Diagnostics.Stopwatch.GetTimestamp();
    operands.A.matmul(operands.B);
    return System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds;
}
