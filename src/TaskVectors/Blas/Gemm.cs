// Gemm: picks the process-wide GEMM provider once. OpenBLAS when it loads, else the managed
// kernel; the TASKVECTORS_GEMM environment variable (openblas | managed | reference) forces one.
namespace TaskVectors.Blas;

/// <summary>The process-wide GEMM provider and the rule that chooses it.</summary>
public static class Gemm
{
    /// <summary>Environment variable that forces a provider: "openblas", "managed" or "reference".</summary>
    public const string EnvironmentVariable = "TASKVECTORS_GEMM";

    private static readonly Lazy<IGemm> DefaultProvider = new(() => Select(Environment.GetEnvironmentVariable(EnvironmentVariable)));

    /// <summary>The provider every layer uses unless told otherwise.</summary>
    public static IGemm Default => DefaultProvider.Value;

    /// <summary>
    /// Chooses a provider: <paramref name="forced"/> names one ("openblas", "managed", "reference"),
    /// or null/empty for automatic (OpenBLAS when it loads, else managed).
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
