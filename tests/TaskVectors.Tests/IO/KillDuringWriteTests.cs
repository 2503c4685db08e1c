// Kill-during-write tests, one per writer (plain safetensors, task vector, factor file, fine-tune checkpoint):
// a child process (this test assembly run through WriterChild) writes the file once, then starts writing it
// again and is SIGKILLed after its first tensor is on disk. The target must still be the first, complete
// version; the killed write's full-size temporary is left behind, and the next write removes it.
using System.Diagnostics;

namespace TaskVectors.Tests.IO;

public sealed class KillDuringWriteTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(WriterChild.Safetensors)]
    [InlineData(WriterChild.TaskVector)]
    [InlineData(WriterChild.Factors)]
    [InlineData(WriterChild.Checkpoint)]
    public async Task Write_KilledMidWrite_TargetIsThePreviousCompleteFile_AndNextWriteCleansUp(string kind)
    {
        string path = _dir.File(kind + ".safetensors");
        await KillMidWrite(kind, path);

        var leftovers = Directory.GetFiles(_dir.Path).Where(f => f != path).ToList();
        leftovers.Count.ShouldBe(1, "the killed write's temporary stays until the next write");
        byte[] killedVersion = File.ReadAllBytes(path);
        WriterChild.Verify(kind, path, generation: 1);

        WriterChild.Write(kind, path, generation: 2);
        Directory.GetFiles(_dir.Path).ShouldBe([path], "the next write removes the stale temporary");
        File.ReadAllBytes(path).AsSpan().SequenceEqual(killedVersion).ShouldBeFalse();
        WriterChild.Verify(kind, path, generation: 2);
    }

    private static async Task KillMidWrite(string kind, string path)
    {
        string assembly = typeof(WriterChild).Assembly.Location;
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h : "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { "exec", assembly, WriterChild.Verb, kind, path }) start.ArgumentList.Add(a);
        using var child = Process.Start(start)!;
        try
        {
            var seen = new List<string>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            while (true)
            {
                string? line = await child.StandardOutput.ReadLineAsync(timeout.Token);
                if (line is null)
                    throw new InvalidOperationException($"The writer child exited before the mid-write point: {string.Join(" | ", seen)} {await child.StandardError.ReadToEndAsync()}");
                seen.Add(line);
                if (line == WriterChild.MidWrite) break;
            }
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
        }
        finally
        {
            if (!child.HasExited) child.Kill(entireProcessTree: true);
        }
    }
}
