// PyTorchProcess: a comparison script of bench/pytorch kept running between rounds, so the C# side can
// alternate its own passes with PyTorch's in one run: a JSON setup line in, then one pass name per line,
// each answered by a JSON line with the seconds PyTorch measured for that one call.
using System.Diagnostics;
using System.Text.Json;

namespace TaskVectors.Bench;

internal sealed class PyTorchProcess : IDisposable
{
    private readonly LineProtocolChild _child;

    private PyTorchProcess(LineProtocolChild child) => _child = child;

    /// <summary>The script's first JSON line after the setup (versions, threads, a check value).</summary>
    public JsonElement Ready => _child.Ready;

    /// <summary>Starts <paramref name="script"/> with Debian's interpreter, sends <paramref name="setup"/> and waits for its ready line; null (with a message) when it fails.</summary>
    public static PyTorchProcess? Start(string script, object setup, params string[] args)
    {
        var info = new ProcessStartInfo("/usr/bin/python3");
        info.ArgumentList.Add(Path.Combine(PyTorchScript.RepositoryRoot(), "bench", "pytorch", script));
        foreach (string a in args) info.ArgumentList.Add(a);
        return LineProtocolChild.Start(info, script, setup, "is Debian's python3-torch installed?") is { } child ? new PyTorchProcess(child) : null;
    }

    /// <summary>Runs pass <paramref name="name"/> once in the script; the seconds it measured.</summary>
    public double Time(string name) => _child.Time(name);

    public void Dispose() => _child.Dispose();
}
