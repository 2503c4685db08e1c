// Gemm: picks the process-wide GEMM provider once. Automatic rule: the managed GEMM (C# SIMD kernel) where
// this CPU runs it on accelerated Vector512 and OpenBLAS's selected core is not an AVX-512 one, else
// OpenBLAS when it loads, else the managed GEMM; the TASKVECTORS_GEMM environment variable
// (openblas | managed | reference) forces one. Gemm.Default.Name tells which one is in use.
namespace TaskVectors.Blas;

/// <summary>
/// Which matrix-multiply provider this process uses: OpenBLAS, the managed SIMD GEMM or the naive reference,
/// chosen once by a fixed rule or forced through <see cref="EnvironmentVariable"/>. Every provider computes the same product.
/// </summary>
public static class Gemm
{
    /// <summary>Short name of the provider in use: "openblas", "managed" or "reference".</summary>
    public static string Name => Default.Name;

    /// <summary>The provider in use with its configuration (e.g. OpenBLAS's core and threads, or the managed kernel).</summary>
    public static string Description => Default.Description;

    /// <summary>Environment variable that forces a provider: "openblas", "managed" or "reference".</summary>
    public const string EnvironmentVariable = "TASKVECTORS_GEMM";

    // OpenBLAS 0.3.x cores with AVX-512 SGEMM kernels, as openblas_get_config names the core it runs.
    private static readonly string[] OpenBlasAvx512Cores = ["SkylakeX", "Cooperlake", "SapphireRapids"];

    private static readonly Lazy<IGemm> DefaultProvider = new(() => Select(Environment.GetEnvironmentVariable(EnvironmentVariable)));

    /// <summary>
    /// The provider every layer uses unless told otherwise, chosen on first use by
    /// <see cref="Select"/> from <see cref="EnvironmentVariable"/>; its <see cref="IGemm.Name"/> says which.
    /// </summary>
    internal static IGemm Default => s_benchOverride ?? DefaultProvider.Value;

    // Set only by the bench, between passes, to time providers round by round in one process.
    private static IGemm? s_benchOverride;

    /// <summary>Makes <see cref="Default"/> return <paramref name="provider"/> (null: the chosen one again). For the bench only.</summary>
    internal static void OverrideForBench(IGemm? provider) => s_benchOverride = provider;

    /// <summary>
    /// Chooses a provider: <paramref name="forced"/> names one ("openblas" → <see cref="OpenBlasGemm"/>,
    /// "managed" → <see cref="ManagedGemm.Instance"/>, "reference" → <see cref="ReferenceGemm.Instance"/>;
    /// case and surrounding spaces ignored), or is null/empty for automatic: the faster of the managed GEMM and
    /// OpenBLAS under the kernel the environment selects, by a fixed rule — the managed GEMM where the CPU runs its
    /// Vector512 kernel (<c>Vector512.IsHardwareAccelerated</c>) and OpenBLAS runs a core without AVX-512 kernels
    /// (e.g. OPENBLAS_CORETYPE=Haswell), OpenBLAS otherwise, the managed GEMM when OpenBLAS does not load. The rule
    /// reads only the hardware and OpenBLAS's configuration, so every process on a machine picks the same provider;
    /// OPENBLAS_CORETYPE is never changed. Every provider computes the same product (see <see cref="IGemm"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">OpenBLAS was forced but cannot be loaded, or the name is unknown.</exception>
    internal static IGemm Select(string? forced)
    {
        switch (forced?.Trim().ToLowerInvariant())
        {
            case null or "":
                return OpenBlasGemm.TryLoad(out var auto, out _) && !PrefersManaged(GemmKernelChoice.IsSupported(GemmKernelKind.Fused512), auto!.Config)
                    ? auto
                    : Fallback();
            case "openblas":
                return OpenBlasGemm.TryLoad(out var blas, out string why)
                    ? blas!
                    : throw new InvalidOperationException($"{EnvironmentVariable}=openblas but OpenBLAS cannot be loaded: {why}. Install Debian's libopenblas0-pthread.");
            case "managed":
                return Fallback();
            case "reference":
                return ReferenceGemm.Instance;
            default:
                throw new InvalidOperationException($"{EnvironmentVariable}='{forced}' is not one of openblas, managed, reference.");
        }
    }

    /// <summary>
    /// The automatic rule given a loaded OpenBLAS: true (managed) when the managed GEMM has its Vector512 kernel and
    /// <paramref name="openBlasConfig"/> (openblas_get_config, which ends with the core in use) names no AVX-512 core.
    /// Measured on Zen 5 (bench gemm-table, shared machine, load average ≈ 17): the managed Vector512 GEMM ran 1.2–2.1× OpenBLAS
    /// 0.3.21's Haswell kernel and 0.7–1.0× its AVX-512 (Cooperlake) kernel on the table's shapes.
    /// </summary>
    internal static bool PrefersManaged(bool managedVector512, string openBlasConfig) =>
        managedVector512 && !OpenBlasAvx512Cores.Any(core => openBlasConfig.Split(' ').Contains(core, StringComparer.OrdinalIgnoreCase));

    private static IGemm Fallback() => ManagedGemm.Instance;
}
