// PyTorchProcess: a comparison script of bench/pytorch kept running between rounds, so the C# side can
// alternate its own passes with PyTorch's in one run: a JSON setup line in, then one pass name per line,
// each answered by a JSON line with the seconds PyTorch measured for that one call.
using System.Diagnostics;
using System.Text.Json;

namespace TaskVectors.Bench;

internal sealed class PyTorchProcess : IDisposable
{
    private readonly Process _process;

    private PyTorchProcess(Process process, JsonElement ready)
    {
        _process = process;
        Ready = ready;
    }

    /// <summary>The script's first JSON line after the setup (versions, threads, a check value).</summary>
    public JsonElement Ready { get; }

    /// <summary>Starts <paramref name="script"/> with Debian's interpreter, sends <paramref name="setup"/> and waits for its ready line; null (with a message) when it fails.</summary>
    public static PyTorchProcess? Start(string script, object setup, params string[] args)
    {
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardInput = true, RedirectStandardOutput = true };
        info.ArgumentList.Add(Path.Combine(PyTorchScript.RepositoryRoot(), "bench", "pytorch", script));
        foreach (string a in args) info.ArgumentList.Add(a);
        var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start /usr/bin/python3");
        process.StandardInput.WriteLine(JsonSerializer.Serialize(setup));
        process.StandardInput.Flush();
        string? line = process.StandardOutput.ReadLine();
        if (line is null || !line.StartsWith('{'))
        {
            process.WaitForExit();
            Console.WriteLine($"{script} exited with {process.ExitCode} before it was ready (is Debian's python3-torch installed?)");
            process.Dispose();
            return null;
        }
        return new PyTorchProcess(process, JsonDocument.Parse(line).RootElement.Clone());
    }

    /// <summary>Runs pass <paramref name="name"/> once in the script; the seconds it measured.</summary>
    public double Time(string name)
    {
        _process.StandardInput.WriteLine(name);
        _process.StandardInput.Flush();
        string line = _process.StandardOutput.ReadLine() ?? throw new InvalidOperationException($"the PyTorch script stopped during '{name}'");
        return JsonDocument.Parse(line).RootElement.GetProperty("s").GetDouble();
    }

    public void Dispose()
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(10_000)) _process.Kill();
        _process.Dispose();
    }
}
