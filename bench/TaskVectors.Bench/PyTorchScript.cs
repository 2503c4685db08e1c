// PyTorchScript: runs a comparison script of bench/pytorch with Debian's interpreter and returns the
// JSON lines it prints, so tables can print PyTorch's figures beside ours from the same run.
using System.Diagnostics;
using System.Text.Json;

namespace TaskVectors.Bench;

internal static class PyTorchScript
{
    /// <summary>The JSON objects the script printed, one per line; empty (with a message) when it failed.</summary>
    public static IReadOnlyList<JsonElement> Run(string script, params string[] args)
    {
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true };
        info.ArgumentList.Add(Path.Combine(RepositoryRoot(), "bench", "pytorch", script));
        foreach (string a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start /usr/bin/python3");
        var lines = new List<JsonElement>();
        string? line;
        while ((line = process.StandardOutput.ReadLine()) is not null)
            if (line.StartsWith('{')) lines.Add(JsonDocument.Parse(line).RootElement.Clone());
        process.WaitForExit();
        if (process.ExitCode != 0) Console.WriteLine($"{script} exited with {process.ExitCode} (is Debian's python3-torch installed?)");
        return lines;
    }

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TaskVectors.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("TaskVectors.sln not found above " + AppContext.BaseDirectory);
    }
}
