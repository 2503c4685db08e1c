// OpenBlasGemm: IGemm over OpenBLAS's cblas_sgemm and cblas_ssyrk, loaded at run time with NativeLibrary from
// libopenblas.so.0 (Debian's libopenblas0-pthread). Never binds to netlib's reference libblas:
// the library must also export openblas_get_config, which only OpenBLAS has. OpenBLAS runs single-threaded;
// the provider spreads each large product over ParallelLoop's threads itself (OpenBlasSplit), so the
// engine has one thread pool and OpenBLAS's idle threads never spin against it. The parts depend on the shape only,
// so results do not depend on the thread count; they do depend on the kernel OpenBLAS picked for the CPU (CoreName).
using System.Runtime.InteropServices;
using TaskVectors.Threading;

namespace TaskVectors.Blas;

/// <summary>GEMM through OpenBLAS (row-major cblas_sgemm). Create with <see cref="TryLoad"/>.</summary>
/// <remarks>
/// Loading sets OpenBLAS to one thread (openblas_set_num_threads(1), process-wide). A product of at least
/// 2·<see cref="OpenBlasSplit.MinWork"/> multiply-adds is split by rows or columns of C into up to 16 parts (k is never
/// split), each a single-threaded cblas_sgemm that <see cref="ParallelLoop"/>'s threads share; a SYRK is split into 1, 2
/// or 4 bands. The parts are fixed by the shape alone: one thread, many threads, or a call from inside a running loop
/// make the same OpenBLAS calls with the same arguments, so results are bit-identical whatever the thread count, under
/// every kernel. They differ in the last bits between OpenBLAS kernels (<see cref="CoreName"/>: Haswell, Zen, SkylakeX,
/// …) and from <see cref="ManagedGemm"/>, which sum in other orders.
/// </remarks>
internal sealed unsafe class OpenBlasGemm : IGemm
{
    internal const int CblasRowMajor = 101, CblasNoTrans = 111, CblasTrans = 112, CblasLower = 122;

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
        CoreName = NativeLibrary.TryGetExport(handle, "openblas_get_corename", out nint core)
            ? Marshal.PtrToStringAnsi(((delegate* unmanaged<nint>)core)())?.Trim() ?? "" : "";
        if (NativeLibrary.TryGetExport(handle, "openblas_get_num_threads", out nint threads))
            _getThreads = (delegate* unmanaged<int>)threads;
        // One OpenBLAS thread: the provider parallelizes itself (see the class remarks).
        if (NativeLibrary.TryGetExport(handle, "openblas_set_num_threads", out nint setThreads))
            ((delegate* unmanaged<int, void>)setThreads)(1);
        LibraryPath = path;
    }

    /// <inheritdoc />
    public string Name => "openblas";

    /// <summary>
    /// "openblas, kernel Haswell (OpenBLAS 0.3.21 DYNAMIC_ARCH …)": the provider, the kernel OpenBLAS picked for this
    /// CPU (or was told to by OPENBLAS_CORETYPE) and its build. Results are reproducible for a given kernel.
    /// </summary>
    public string Description => $"openblas, kernel {(CoreName.Length > 0 ? CoreName : "unknown")} ({Config})";

    /// <summary>
    /// The kernel OpenBLAS runs (openblas_get_corename, e.g. "Haswell", "Zen", "SkylakeX", "Cooperlake"), or "" when the
    /// library does not say. Results are bit-identical for any thread count but differ in the last bits between kernels.
    /// </summary>
    public string CoreName { get; }

    /// <summary>The file name or path the library was loaded from.</summary>
    public string LibraryPath { get; }

    /// <summary>OpenBLAS's own build description (openblas_get_config), e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH …".</summary>
    public string Config { get; }

    private readonly delegate* unmanaged<int, int, int, int, int, float, float*, int, float, float*, int, void> _ssyrk;
    private readonly delegate* unmanaged<int> _getThreads;

    /// <summary>Threads OpenBLAS itself uses (openblas_get_num_threads: 1 once loaded here), or 0 when unknown.</summary>
    public int Threads => _getThreads == null ? 0 : _getThreads();

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
        int ta = transA == Transpose.None ? CblasNoTrans : CblasTrans, tb = transB == Transpose.None ? CblasNoTrans : CblasTrans;
        OpenBlasSplit.Gemm(m, n, k, out int parts, out int chunk, out bool columns);
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            // One part (the whole product) runs inline on this thread: the same single call either way.
            ParallelLoop.For(parts, new OpenBlasSgemmPart
            {
                Sgemm = _sgemm, A = pa, B = pb, C = pc, TransA = ta, TransB = tb, M = m, N = n, K = k,
                Lda = lda, Ldb = ldb, Ldc = ldc, Chunk = chunk, Columns = columns, Alpha = alpha, Beta = beta,
            });
        }
    }

    /// <inheritdoc />
    /// <remarks>cblas_ssyrk (row-major, lower, transposed A) in the bands of <see cref="OpenBlasSplit.Bands"/>; the GEMM panels
    /// of <see cref="GemmSyrk"/> where the library lacks it.</remarks>
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
        int bands = OpenBlasSplit.Bands(n, k);
        fixed (float* pa = a)
        fixed (float* pc = c)
        {
            // Runs inline, band after band, inside another loop or on one thread: the same calls either way.
            ParallelLoop.For(bands, new OpenBlasSyrkBand
            {
                Sgemm = _sgemm, Ssyrk = _ssyrk, A = pa, C = pc, N = n, K = k, Lda = lda, Ldc = ldc, Bands = bands, Alpha = alpha, Beta = beta,
            });
        }
    }
}
