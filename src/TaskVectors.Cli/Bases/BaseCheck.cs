// BaseCheck: refuses a file made from another base model than --base, before any work, with its own exit code. Files
// record their base's fingerprint under "base_model_fingerprint" (task vectors, factor files, heads) or, for merged
// checkpoints, "merged_base_fingerprint".
using TaskVectors.Cli.Hosting;
using TaskVectors.Models;

namespace TaskVectors.Cli.Bases;

internal static class BaseCheck
{
    public const string MergedBaseKey = "merged_base_fingerprint";

    /// <summary>Throws unless <paramref name="recorded"/> is <paramref name="baseModel"/>'s fingerprint.</summary>
    public static void Ensure(string file, string? recorded, LoadedBase baseModel) => Ensure(file, recorded, baseModel.Fingerprint, $"--base '{baseModel.Source}'");

    /// <summary>Throws unless <paramref name="recorded"/> is <paramref name="expected"/>.</summary>
    public static void Ensure(string file, string? recorded, string expected, string baseName)
    {
        if (recorded is null)
            throw new CliException(ExitCode.WrongBase, $"'{file}' records no base-model fingerprint, so it cannot be checked against {baseName} ({Short(expected)}).");
        if (!string.Equals(recorded, expected, StringComparison.Ordinal))
            throw new CliException(ExitCode.WrongBase, $"'{file}' was made from base model {Short(recorded)}, not from {baseName} ({Short(expected)}).");
    }

    /// <summary>The fingerprint a file's metadata records as its base's.</summary>
    public static string? Recorded(IReadOnlyDictionary<string, string> metadata) =>
        metadata.GetValueOrDefault(ModelFingerprint.MetadataKey) ?? metadata.GetValueOrDefault(MergedBaseKey);

    public static string Short(string fingerprint) => fingerprint.Length > 12 ? fingerprint[..12] + "…" : fingerprint;
}
