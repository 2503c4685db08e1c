// FileHeader: the metadata header every safetensors file the library writes carries, and its check on load.
//   "taskvectors.kind"            task-vector | merged | factors | finetune-checkpoint | checkpoint | head
//   "taskvectors.format_version"  the kind's layout version (1 for every kind today)
//   "taskvectors.library_version" the writing assembly's version (informational)
//   "base_model_fingerprint"      the base model's fingerprint where the kind has one (ModelFingerprint.MetadataKey)
//   settings                      the kind's own keys (fine-tuner options, estimator settings, merge method …)
// A file without the kind key predates the header: a factor file is still recognised by its "format" key, any
// other such file is accepted and left to the loader's older checks.
using System.Globalization;

namespace TaskVectors.IO;

/// <summary>Stamps and checks the kind and format version of the library's files.</summary>
internal static class FileHeader
{
    public const string KindKey = "taskvectors.kind";
    public const string VersionKey = "taskvectors.format_version";
    public const string LibraryVersionKey = "taskvectors.library_version";

    public const string TaskVector = "task-vector";
    public const string Merged = "merged";
    public const string Factors = "factors";
    public const string FineTuneCheckpoint = "finetune-checkpoint";
    public const string Checkpoint = "checkpoint";
    public const string Head = "head";

    // Format version each kind is written with; a loader reads versions up to this one.
    private static readonly Dictionary<string, int> Versions = new(StringComparer.Ordinal)
    {
        [TaskVector] = 1, [Merged] = 1, [Factors] = 1, [FineTuneCheckpoint] = 1, [Checkpoint] = 1, [Head] = 1,
    };

    // Before the header: FineTuneCheckpoint wrote this kind value; factor files had only "format".
    private const string LegacyFineTuneKind = "taskvectors.finetune-checkpoint";
    private const string LegacyFactorFormatKey = "format";
    private const string LegacyFactorFormat = "taskvectors.kfac";

    /// <summary>Writes the header keys for <paramref name="kind"/> into <paramref name="metadata"/> (replacing any present).</summary>
    public static void Stamp(IDictionary<string, string> metadata, string kind)
    {
        metadata[KindKey] = kind;
        metadata[VersionKey] = Versions[kind].ToString(CultureInfo.InvariantCulture);
        metadata[LibraryVersionKey] = typeof(FileHeader).Assembly.GetName().Version?.ToString() ?? "0.0.0.0";
    }

    /// <summary>As <see cref="Stamp(IDictionary{string, string}, string)"/>, on a copy.</summary>
    public static Dictionary<string, string> Stamped(IReadOnlyDictionary<string, string>? metadata, string kind)
    {
        var copy = metadata is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(metadata, StringComparer.Ordinal);
        Stamp(copy, kind);
        return copy;
    }

    /// <summary>True for the header's own keys, which describe the file rather than its contents.</summary>
    public static bool IsHeaderKey(string key) => key is KindKey or VersionKey or LibraryVersionKey;

    /// <summary>The kind a file's metadata declares (legacy files recognised), or null for a file that predates the header.</summary>
    public static string? KindOf(IReadOnlyDictionary<string, string> metadata)
    {
        if (metadata.TryGetValue(KindKey, out var kind)) return kind == LegacyFineTuneKind ? FineTuneCheckpoint : kind;
        return metadata.GetValueOrDefault(LegacyFactorFormatKey) == LegacyFactorFormat ? Factors : null;
    }

    /// <summary>
    /// Checks that the file at <paramref name="path"/> is one of <paramref name="accepted"/> (the first is the kind the
    /// caller reads, named in the error) in a format version this library reads. A file without the header passes when
    /// <paramref name="allowUnmarked"/> is true.
    /// </summary>
    /// <exception cref="FileKindException">The file is of another kind, or unmarked where a mark is required.</exception>
    /// <exception cref="InvalidDataException">The format version is not a number or is newer than this library reads.</exception>
    public static void Expect(string path, IReadOnlyDictionary<string, string> metadata, bool allowUnmarked, params string[] accepted)
    {
        string? found = KindOf(metadata);
        if (found is null)
        {
            if (allowUnmarked) return;
            throw new FileKindException(path, accepted[0], null);
        }
        if (!accepted.Contains(found, StringComparer.Ordinal)) throw new FileKindException(path, accepted[0], found);
        if (!metadata.TryGetValue(VersionKey, out var text)) return; // legacy file of the right kind: the loader's own checks apply
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int version) || version < 1)
            throw new InvalidDataException($"'{path}': metadata \"{VersionKey}\" is '{text}', not a format version.");
        if (version > Versions[found])
            throw new InvalidDataException($"'{path}' is a {found} file of format version {version}; this library reads up to version {Versions[found]}.");
    }
}
