// MergeConfigTests: merges through the YAML configuration against independent references computed from the files
// themselves: a configuration equivalent to flags gives the same bits as the streaming flag path; per-task weights give
// θ0 + Σ_t α_t·τ_t; a per-tensor α filter leaves the filtered tensors at θ0 exactly.
using TaskVectors.IO;
using TaskVectors.Tensors;

namespace TaskVectors.Cli.Tests.Merging;

[Collection(CliCollection.Name)]
public sealed class MergeConfigTests(CliFixture fixture) : IDisposable
{
    private readonly string _folder = TestData.NewFolder("yaml");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Merge_YamlWithDefaultFilterEntry_SameBitsAsStreamingFlags()
    {
        string streamed = Path.Combine(_folder, "flags.safetensors"), configured = Path.Combine(_folder, "yaml.safetensors");
        await CliRun.Ok("merge", "--base", fixture.BaseA, fixture.TauA, fixture.TauA2, "--method", "ties", "--density", "0.5", "--alpha", "0.7", "--out", streamed);
        // A weight list (a filter matching nothing, then the default 1) sends the merge down the per-tensor path.
        string yaml = Write($"""
            merge_method: ties
            base_model: {fixture.BaseA}
            parameters:
              alpha: 0.7
              density: 0.5
            models:
              - model: {fixture.TauA}
                parameters:
                  weight:
                    - filter: no-such-tensor
                      value: 3
                    - value: 1
              - model: {fixture.TauA2}
            """);
        var run = (await CliRun.Ok("merge", "--config", yaml, "--out", configured, "--json")).Json();
        run.GetProperty("streamed").GetBoolean().ShouldBeFalse();
        var a = Read(streamed);
        var b = Read(configured);
        b.Keys.Order().ShouldBe(a.Keys.Order());
        foreach (var (name, values) in a) b[name].ShouldBe(values, $"tensor {name}");
    }

    [Fact]
    public async Task Merge_PerTaskWeights_EqualsWeightedSumOfFiles()
    {
        string output = Path.Combine(_folder, "weighted.safetensors");
        await CliRun.Ok("merge", "--base", fixture.BaseA, fixture.TauA, fixture.TauA2, "--weights", "0.25,-0.5", "--alpha", "2", "--out", output);
        var theta0 = Read(fixture.BaseA);
        var tau1 = Read(fixture.TauA);
        var tau2 = Read(fixture.TauA2);
        var merged = Read(output);
        foreach (var (name, values) in merged)
        {
            var expected = theta0[name].ToArray();
            if (tau1.TryGetValue(name, out var t1))
                for (int i = 0; i < expected.Length; i++) expected[i] += 2f * (0.25f * t1[i] + -0.5f * tau2[name][i]);
            MaxAbsDiff(values, expected).ShouldBeLessThan(1e-6f, $"tensor {name}");
        }
    }

    [Fact]
    public async Task Merge_AlphaFilterZero_LeavesFilteredTensorsAtBase()
    {
        string output = Path.Combine(_folder, "filtered.safetensors");
        string yaml = Write($"""
            merge_method: task_arithmetic
            parameters:
              alpha:
                - filter: "*.mlp.*"
                  value: 0
                - value: 1
            models:
              - model: {fixture.TauA}
            """);
        await CliRun.Ok("merge", "--config", yaml, "--base", fixture.BaseA, "--out", output);
        var theta0 = Read(fixture.BaseA);
        var tau = Read(fixture.TauA);
        var merged = Read(output);
        int filtered = 0, moved = 0;
        foreach (var (name, t) in tau)
        {
            if (name.Contains(".mlp.", StringComparison.Ordinal))
            {
                merged[name].ShouldBe(theta0[name], $"tensor {name}");
                filtered++;
            }
            else if (t.Any(v => v != 0))
            {
                merged[name].ShouldNotBe(theta0[name]);
                moved++;
            }
        }
        filtered.ShouldBeGreaterThan(0);
        moved.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Negate_ThenEvalOfTask_ReportsAccuracyAndWritesCheckpoint()
    {
        string output = Path.Combine(_folder, "negated.safetensors");
        var negate = (await CliRun.Ok("negate", "--base", fixture.BaseA, fixture.TauA, "--alpha", "0.5", "--out", output, "--json")).Json();
        negate.GetProperty("merge").GetProperty("kind").GetString().ShouldBe("checkpoint");
        negate.GetProperty("negation").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        var theta0 = Read(fixture.BaseA);
        var tau = Read(fixture.TauA);
        foreach (var (name, values) in Read(output))
        {
            var expected = theta0[name].ToArray();
            if (tau.TryGetValue(name, out var t)) for (int i = 0; i < expected.Length; i++) expected[i] += -0.5f * t[i];
            MaxAbsDiff(values, expected).ShouldBeLessThan(1e-6f, $"tensor {name}");
        }
        var eval = (await CliRun.Ok("eval", "--base", fixture.BaseA, "--model", output, "--head", fixture.HeadA, "--data", TestData.Digits, "--classes", "0,1", "--split", "test", "--json")).Json();
        eval.GetProperty("accuracy").GetDouble().ShouldBeInRange(0, 1);
    }

    private string Write(string yaml)
    {
        string path = Path.Combine(_folder, "merge.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private static Dictionary<string, float[]> Read(string path)
    {
        using var file = SafetensorsFile.Open(path);
        return file.Tensors.ToDictionary(t => t.Name, t => file.ReadTensor(t.Name).Span.ToArray());
    }

    private static float MaxAbsDiff(float[] a, float[] b)
    {
        a.Length.ShouldBe(b.Length);
        float max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }
}
