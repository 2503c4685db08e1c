// OpenBlasGemm: IGemm over OpenBLAS's cblas_sgemm and cblas_ssyrk, loaded at run time with NativeLibrary from
// libopenblas.so.0 (Debian's libopenblas0-pthread). Never binds to netlib's reference libblas:
// the library must also export openblas_get_config, which only OpenBLAS has.
using System.Runtime.InteropServices;

namespace TaskVectors.Blas;

/// <summary>GEMM through OpenBLAS (row-major cblas_sgemm). Create with <see cref="TryLoad"/>.</summary>
public sealed unsafe class OpenBlasGemm : IGemm
{
    private const int CblasRowMajor = 101, CblasNoTrans = 111, CblasTrans = 112, CblasLower = 122;

    private static readonly string[] Candidates =
    [
        "libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "libopenblas.so",
        "libopenblas.dylib",
        "libopenblas.dll",
    ];

    private readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;

    private OpenBlasGemm(nint handle, string path)
    {
        _sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)
            NativeLibrary.GetExport(handle, "cblas_sgemm");
        if (NativeLibrary.TryGetExport(handle, "cblas_ssyrk", out nint syrk))
            _ssyrk = (delegate* unmanaged<int, int, int, int, int, float, float*, int, float, float*, int, void>)syrk;
        var config = (delegate* unmanaged<nint>)NativeLibrary.GetExport(handle, "openblas_get_config");
        Config = Marshal.PtrToStringAnsi(config()) ?? "";
        if (NativeLibrary.TryGetExport(handle, "openblas_get_num_threads", out nint threads))
            _getThreads = (delegate* unmanaged<int>)threads;
        if (NativeLibrary.TryGetExport(handle, "openblas_set_num_threads", out nint setThreads))
            _setThreads = (delegate* unmanaged<int, void>)setThreads;
        LibraryPath = path;
    }

    /// <inheritdoc />
    public string Name => "openblas";

    /// <summary>The file name or path the library was loaded from.</summary>
    public string LibraryPath { get; }

    /// <summary>OpenBLAS's own build description (openblas_get_config), e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH …".</summary>
    public string Config { get; }

    private readonly delegate* unmanaged<int, int, int, int, int, float, float*, int, float, float*, int, void> _ssyrk;
    private readonly delegate* unmanaged<int> _getThreads;
    private readonly delegate* unmanaged<int, void> _setThreads;

    /// <summary>Threads OpenBLAS uses (openblas_get_num_threads), or 0 when unknown.</summary>
    public int Threads => _getThreads == null ? 0 : _getThreads();

    /// <summary>Sets the threads OpenBLAS uses (openblas_set_num_threads), process-wide; ignored when the library lacks it.</summary>
    public void SetThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        if (_setThreads != null) _setThreads(threads);
    }

    /// <summary>
    /// Loads OpenBLAS. Returns false with the reasons in <paramref name="failure"/> when no candidate
    /// library loads or a loaded one is not OpenBLAS.
    /// </summary>
    public static bool TryLoad(out OpenBlasGemm? gemm, out string failure)
    {
        var reasons = new List<string>();
        foreach (string name in Candidates)
        {
            if (!NativeLibrary.TryLoad(name, typeof(OpenBlasGemm).Assembly, null, out nint handle))
            {
                reasons.Add($"{name}: not found");
                continue;
            }
            if (!NativeLibrary.TryGetExport(handle, "cblas_sgemm", out _) || !NativeLibrary.TryGetExport(handle, "openblas_get_config", out _))
            {
                reasons.Add($"{name}: loaded but lacks cblas_sgemm or openblas_get_config (not OpenBLAS)");
                continue;
            }
            gemm = new OpenBlasGemm(handle, name);
            failure = "";
            return true;
        }
        gemm = null;
        failure = string.Join("; ", reasons);
        return false;
    }

    /// <inheritdoc />
    public void Sgemm(Transpose transA, Transpose transB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        GemmArguments.Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            GemmEdge.ScaleC(m, n, beta, c, ldc);
            return;
        }
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            _sgemm(CblasRowMajor,
                transA == Transpose.None ? CblasNoTrans : CblasTrans,
                transB == Transpose.None ? CblasNoTrans : CblasTrans,
                m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        }
    }

    /// <inheritdoc />
    /// <remarks>cblas_ssyrk (row-major, lower, transposed A); the GEMM panels of <see cref="GemmSyrk"/> where the library lacks it.</remarks>
    public void SsyrkLower(int n, int k, float alpha, ReadOnlySpan<float> a, int lda, float beta, Span<float> c, int ldc)
    {
        if (_ssyrk == null)
        {
            GemmSyrk.Panels(this, n, k, alpha, a, lda, beta, c, ldc);
            return;
        }
        GemmSyrk.Validate(n, k, a.Length, lda, c.Length, ldc);
        if (n == 0) return;
        if (k == 0)
        {
            GemmEdge.ScaleC(n, n, beta, c, ldc);
            return;
        }
        fixed (float* pa = a)
        fixed (float* pc = c)
        {
            _ssyrk(CblasRowMajor, CblasLower, CblasTrans, n, k, alpha, pa, lda, beta, pc, ldc);
        }
    }
}
