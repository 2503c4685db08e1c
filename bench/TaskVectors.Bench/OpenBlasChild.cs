// OpenBlasChild: gemm-table's second OpenBLAS: this bench re-started as `gemm-table --serve-openblas` with
// OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from its environment, so OpenBLAS picks its own kernel for this
// CPU (the AVX-512 one on AVX-512 machines). It stays up; each Measure request times one run of one shape there,
// so its runs alternate with the parent's.
using System.Diagnostics;
using System.Globalization;

namespace TaskVectors.Bench;

/// <summary>This bench re-started as <c>gemm-table --serve-openblas</c> without the two OpenBLAS variables.</summary>
internal sealed class OpenBlasChild : IDisposable
{
    private readonly Process _process;

    private OpenBlasChild(Process process, string config)
    {
        _process = process;
        Config = config;
    }

    public string Config { get; }

    public static OpenBlasChild Start()
    {
        string host = Environment.ProcessPath!;
        var info = new ProcessStartInfo(host) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        // Under `dotnet X.dll` the host is dotnet and the first argument is the bench assembly.
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") info.ArgumentList.Add(typeof(GemmTable).Assembly.Location);
        info.ArgumentList.Add("gemm-table");
        info.ArgumentList.Add(GemmTable.ServeVerb);
        info.Environment.Remove("OPENBLAS_CORETYPE");
        info.Environment.Remove("OPENBLAS_L2_SIZE");
        var process = Process.Start(info)!;
        return new OpenBlasChild(process, process.StandardOutput.ReadLine() ?? "no answer");
    }

    public double Measure(int shape, double minMs)
    {
        _process.StandardInput.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{shape} {minMs}"));
        string? answer = _process.StandardOutput.ReadLine();
        return answer is null ? double.NaN : double.Parse(answer, CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        _process.StandardInput.Close();
        _process.WaitForExit();
        _process.Dispose();
    }
}
