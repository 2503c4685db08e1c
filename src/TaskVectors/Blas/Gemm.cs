// Gemm: picks the process-wide GEMM provider once. OpenBLAS when it loads, else ManagedGemm (the
// C# SIMD kernel); the TASKVECTORS_GEMM environment variable (openblas | managed | reference)
// forces one. Gemm.Default.Name tells which one is in use.
namespace TaskVectors.Blas;

/// <summary>The process-wide GEMM provider and the rule that chooses it.</summary>
public static class Gemm
{
    /// <summary>Environment variable that forces a provider: "openblas", "managed" or "reference".</summary>
    public const string EnvironmentVariable = "TASKVECTORS_GEMM";

    private static readonly Lazy<IGemm> DefaultProvider = new(() => Select(Environment.GetEnvironmentVariable(EnvironmentVariable)));

    /// <summary>
    /// The provider every layer uses unless told otherwise, chosen on first use by
    /// <see cref="Select"/> from <see cref="EnvironmentVariable"/>; its <see cref="IGemm.Name"/> says which.
    /// </summary>
    public static IGemm Default => DefaultProvider.Value;

    /// <summary>
    /// Chooses a provider: <paramref name="forced"/> names one ("openblas" → <see cref="OpenBlasGemm"/>,
    /// "managed" → <see cref="ManagedGemm.Instance"/>, "reference" → <see cref="ReferenceGemm.Instance"/>;
    /// case and surrounding spaces ignored), or is null/empty for automatic: OpenBLAS when it loads,
    /// else <see cref="ManagedGemm.Instance"/>. Every provider computes the same product (see <see cref="IGemm"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">OpenBLAS was forced but cannot be loaded, or the name is unknown.</exception>
    public static IGemm Select(string? forced)
    {
        switch (forced?.Trim().ToLowerInvariant())
        {
            case null or "":
                return OpenBlasGemm.TryLoad(out var auto, out _) ? auto! : Fallback();
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

    private static IGemm Fallback() => ManagedGemm.Instance;
}
