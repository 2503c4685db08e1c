// Packs the library the way it ships, then builds and runs a consumer that references the package
// from a local folder feed (not a project reference), as a user's project would; the consumer restores
// into a temporary packages folder, so the user's global NuGet packages folder gains nothing.
using System.Diagnostics;
using System.IO.Compression;

namespace TaskVectors.Packaging.Tests;

public sealed class PackageTests : IClassFixture<PackageTests.PackedLibrary>
{
    private readonly PackedLibrary _packed;

    public PackageTests(PackedLibrary packed) => _packed = packed;

    [Fact]
    public void Pack_Package_ContainsLibraryGeneratorAndReadme()
    {
        using var zip = ZipFile.OpenRead(_packed.PackagePath);
        var entries = zip.Entries.Select(e => e.FullName).ToList();
        entries.ShouldContain("lib/net10.0/TaskVectors.dll");
        entries.ShouldContain("lib/net10.0/TaskVectors.xml");
        entries.ShouldContain("analyzers/dotnet/cs/TaskVectors.Generators.dll");
        entries.ShouldContain("README.md");
        entries.ShouldNotContain(e => e.Contains("Microsoft.CodeAnalysis", StringComparison.Ordinal));
        using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        string text = nuspec.ReadToEnd();
        text.ShouldContain("<license type=\"expression\">MIT</license>");
        text.ShouldContain("System.Numerics.Tensors");
        text.ShouldNotContain("TaskVectors.Generators\"");
    }

    [Fact]
    public void Consumer_ReferencingPackageFromFolderFeed_BuildsAndRuns()
    {
        string output = _packed.ConsumerOutput;
        output.ShouldContain("consumer ok: gemm=");
        output.ShouldContain("generator=");
    }

    [Fact]
    public void Consumer_Restore_LeavesNothingInTheUsersGlobalPackagesFolder()
    {
        _ = _packed.ConsumerOutput;
        Directory.Exists(Path.Combine(_packed.PackagesDirectory, "taskvectors", _packed.Version.ToLowerInvariant()))
            .ShouldBeTrue("the consumer restored into its own packages folder");
        Directory.Exists(Path.Combine(PackedLibrary.GlobalPackagesFolder, "taskvectors", _packed.Version.ToLowerInvariant()))
            .ShouldBeFalse($"the package was copied into {PackedLibrary.GlobalPackagesFolder}");
        // Entries of this process's versions only: other test runs on the machine may be packing at the same time.
        PackedLibrary.CiEntries().Except(_packed.CiEntriesBefore).Where(v => v.EndsWith("." + Environment.ProcessId, StringComparison.Ordinal))
            .ShouldBeEmpty($"new 0.0.0-ci.* entries of this run in {PackedLibrary.GlobalPackagesFolder}");
    }

    internal static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TaskVectors.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("TaskVectors.sln not found above " + AppContext.BaseDirectory);
        }
    }

    internal static string Dotnet(string workingDirectory, params string[] args) => Dotnet(workingDirectory, new Dictionary<string, string>(), args);

    /// <summary>Runs dotnet with <paramref name="environment"/> added to this process's; returns stdout and stderr.</summary>
    internal static string Dotnet(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) info.ArgumentList.Add(a);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        foreach (var (name, value) in environment) info.Environment[name] = value;
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(8))) process.Kill(entireProcessTree: true);
        string all = stdout + stderr.Result;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"dotnet {string.Join(' ', args)} failed with exit code {process.ExitCode}:\n{all}");
        return all;
    }

    /// <summary>
    /// Packs the library once for all tests into a fresh folder feed under a temporary root, and builds and runs the
    /// consumer there on first use. The consumer restores into the root's own packages folder (NUGET_PACKAGES for the
    /// child process: `dotnet run --packages` is ignored), so nothing lands in the user's global packages folder, and
    /// the root is deleted afterwards.
    /// </summary>
    public sealed class PackedLibrary : IDisposable
    {
        private readonly Lazy<string> _consumerOutput;

        public PackedLibrary()
        {
            CiEntriesBefore = CiEntries();
            Root = Path.Combine(Path.GetTempPath(), "taskvectors-pack-" + Guid.NewGuid().ToString("N"));
            FeedDirectory = Path.Combine(Root, "feed");
            PackagesDirectory = Path.Combine(Root, "packages");
            Directory.CreateDirectory(FeedDirectory);
            // A version no cache has seen, so the consumer can only restore the package just packed.
            Version = "0.0.0-ci." + DateTime.UtcNow.ToString("yyyyMMddHHmmss") + "." + Environment.ProcessId;
            Dotnet(RepositoryRoot, "pack", Path.Combine("src", "TaskVectors", "TaskVectors.csproj"), "-c", "Release",
                "--no-build", "-o", FeedDirectory, $"-p:PackageVersion={Version}");
            PackagePath = Path.Combine(FeedDirectory, $"TaskVectors.{Version}.nupkg");
            if (!File.Exists(PackagePath)) throw new FileNotFoundException("dotnet pack produced no package", PackagePath);
            _consumerOutput = new Lazy<string>(RunConsumer);
        }

        /// <summary>The user's global packages folder: NUGET_PACKAGES, else ~/.nuget/packages.</summary>
        public static string GlobalPackagesFolder =>
            Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } folder
                ? folder
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

        public string Root { get; }

        public string FeedDirectory { get; }

        /// <summary>The consumer's own packages folder (inside <see cref="Root"/>).</summary>
        public string PackagesDirectory { get; }

        public string Version { get; }

        public string PackagePath { get; }

        /// <summary>The 0.0.0-ci.* versions of TaskVectors in the global packages folder before this run.</summary>
        public IReadOnlyList<string> CiEntriesBefore { get; }

        /// <summary>What the consumer printed (built and run on first use).</summary>
        public string ConsumerOutput => _consumerOutput.Value;

        /// <summary>The 0.0.0-ci.* versions of TaskVectors now in the global packages folder.</summary>
        public static IReadOnlyList<string> CiEntries()
        {
            string folder = Path.Combine(GlobalPackagesFolder, "taskvectors");
            return Directory.Exists(folder)
                ? Directory.GetDirectories(folder, "0.0.0-ci.*").Select(Path.GetFileName).OfType<string>().Order().ToList()
                : [];
        }

        private string RunConsumer()
        {
            string work = Path.Combine(Root, "consumer");
            Directory.CreateDirectory(work);
            foreach (string file in Directory.GetFiles(Path.Combine(RepositoryRoot, "tests", "PackageConsumer")))
                File.Copy(file, Path.Combine(work, Path.GetFileName(file)), overwrite: true);
            // The user's global packages folder, read-only here, serves the package's dependencies without a download.
            string cache = Directory.Exists(GlobalPackagesFolder) ? $"""<add key="cache" value="{GlobalPackagesFolder}" />""" : "";
            File.WriteAllText(Path.Combine(work, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="local" value="{FeedDirectory}" />
                    {cache}
                    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
                  </packageSources>
                </configuration>
                """);
            return Dotnet(work, new Dictionary<string, string> { ["NUGET_PACKAGES"] = PackagesDirectory },
                "run", "-c", "Release", $"-p:TaskVectorsPackageVersion={Version}");
        }

        public void Dispose()
        {
            try { Directory.Delete(Root, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }
}
