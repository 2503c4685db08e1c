// LineProtocolChild: a comparison peer kept running in a child process (PyTorch scripts, the TorchSharp twin) and
// spoken to by lines: a JSON setup line in, a JSON ready line out, then one request line per timed call, each answered
// by a JSON line {"s": seconds measured in the child}.
using System.Diagnostics;
using System.Text.Json;

namespace TaskVectors.Bench;

internal sealed class LineProtocolChild : IDisposable
{
    private readonly Process _process;
    private readonly string _name;

    private LineProtocolChild(Process process, string name, JsonElement ready)
    {
        _process = process;
        _name = name;
        Ready = ready;
    }

    /// <summary>The child's first JSON line after the setup.</summary>
    public JsonElement Ready { get; }

    /// <summary>Starts the child, sends <paramref name="setup"/> and waits for its ready line; null (with <paramref name="hint"/>) when it fails.</summary>
    public static LineProtocolChild? Start(ProcessStartInfo info, string name, object setup, string hint)
    {
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.UseShellExecute = false;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {info.FileName}");
        process.StandardInput.WriteLine(JsonSerializer.Serialize(setup));
        process.StandardInput.Flush();
        string? line = process.StandardOutput.ReadLine();
        if (line is null || !line.StartsWith('{'))
        {
            process.WaitForExit();
            Console.WriteLine($"{name} exited with {process.ExitCode} before it was ready ({hint})");
            process.Dispose();
            return null;
        }
        return new LineProtocolChild(process, name, JsonDocument.Parse(line).RootElement.Clone());
    }

    /// <summary>Sends one request line; the seconds the child measured for it.</summary>
    public double Time(string request)
    {
        _process.StandardInput.WriteLine(request);
        _process.StandardInput.Flush();
        string line = _process.StandardOutput.ReadLine() ?? throw new InvalidOperationException($"{_name} stopped during '{request}'");
        return JsonDocument.Parse(line).RootElement.GetProperty("s").GetDouble();
    }

    public void Dispose()
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(10_000)) _process.Kill();
        _process.Dispose();
    }
}
