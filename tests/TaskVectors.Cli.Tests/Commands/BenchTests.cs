// BenchTests: `taskvectors bench` refuses bad input before any work — a missing data folder, an unknown row, two
// experiments at once, a damaged committed file of the vision row — with the documented exit code, a message naming the
// folder, row, option or file at fault, and no report left behind. (The main job itself is tested in MainJob.Tests.)
using TaskVectors.Cli.Hosting;

namespace TaskVectors.Cli.Tests.Commands;

public sealed class BenchTests : IDisposable
{
    private readonly string _folder = TestData.NewFolder("bench");

    private string Report => Path.Combine(_folder, "report");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Bench_MissingDataFolder_ExitsMissingFileNamingIt()
    {
        string missing = Path.Combine(_folder, "no-data");
        var run = await CliRun.Start("bench", "--data", missing, "--out", Report);
        Expect(run, ExitCode.MissingFile, missing);
    }

    [Fact]
    public async Task Bench_UnknownRow_ExitsUsageNamingIt()
    {
        var run = await CliRun.Start("bench", "--data", Path.Combine(TestData.RepositoryRoot, "data"), "--rows", "audio", "--out", Report);
        Expect(run, ExitCode.Usage, "'audio'");
        run.Error.ShouldContain("vision");
    }

    [Fact]
    public async Task Bench_TwoExperiments_ExitsUsageNamingBoth()
    {
        var run = await CliRun.Start("bench", "--beta-sweep", "--eq7-vs-eq8", "--out", Report);
        Expect(run, ExitCode.Usage, "--beta-sweep");
        run.Error.ShouldContain("--eq7-vs-eq8");
    }

    [Fact]
    public async Task Bench_DamagedVisionBase_ExitsBadFileNamingItAsJson()
    {
        string data = Path.Combine(_folder, "data");
        Copy(Path.Combine(TestData.RepositoryRoot, "data", "vision-tasks"), Path.Combine(data, "vision-tasks"));
        Copy(Path.Combine(TestData.RepositoryRoot, "data", "pretrained"), Path.Combine(data, "pretrained"));
        Directory.CreateDirectory(Path.Combine(data, "text-tasks"));
        string weights = Path.Combine(data, "pretrained", "vit-fashion", "model.safetensors");
        var bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 0x40;   // one bit of the last weight: the SHA-256 check must catch it
        File.WriteAllBytes(weights, bytes);

        var run = await CliRun.Start("bench", "--data", data, "--rows", "vision", "--out", Report, "--json");
        Expect(run, ExitCode.BadFile, weights);
        run.Json().GetProperty("error").GetProperty("exitCode").GetInt32().ShouldBe((int)ExitCode.BadFile);
    }

    [Fact]
    public async Task Help_Bench_ListsOptionsAndExamples()
    {
        var run = await CliRun.Ok("bench", "--help");
        foreach (string option in new[] { "--profile", "--rows", "--tau-jp-beta", "--beta-sweep", "--eq7-vs-eq8", "--cache", "--out", "--json" })
            run.Out.ShouldContain(option);
        run.Out.ShouldContain("taskvectors bench --cache");
    }

    private void Expect(CliRun run, ExitCode code, string named)
    {
        run.ExitCode.ShouldBe((int)code, $"stderr: {run.Error}");
        run.Error.ShouldContain(named);
        Directory.Exists(Report).ShouldBeFalse("no report may be written");
    }

    private static void Copy(string from, string to)
    {
        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
