// Packs the library the way it ships, then builds and runs a consumer that references the package
// from a local folder feed (not a project reference), as a user's project would.
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
        string work = Path.Combine(_packed.Root, "consumer");
        Directory.CreateDirectory(work);
        foreach (string file in Directory.GetFiles(Path.Combine(RepositoryRoot, "tests", "PackageConsumer")))
            File.Copy(file, Path.Combine(work, Path.GetFileName(file)), overwrite: true);
        File.WriteAllText(Path.Combine(work, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{_packed.FeedDirectory}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        string output = Dotnet(work, "run", "-c", "Release",
            $"-p:TaskVectorsPackageVersion={_packed.Version}",
            "--packages", Path.Combine(_packed.Root, "packages"));
        output.ShouldContain("consumer ok: gemm=");
        output.ShouldContain("generator=");
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

    internal static string Dotnet(string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) info.ArgumentList.Add(a);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(8))) process.Kill(entireProcessTree: true);
        string all = stdout + stderr.Result;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"dotnet {string.Join(' ', args)} failed with exit code {process.ExitCode}:\n{all}");
        return all;
    }

    /// <summary>Packs the library once for all tests into a fresh folder feed.</summary>
    public sealed class PackedLibrary : IDisposable
    {
        public PackedLibrary()
        {
            Root = Path.Combine(Path.GetTempPath(), "taskvectors-pack-" + Guid.NewGuid().ToString("N"));
            FeedDirectory = Path.Combine(Root, "feed");
            Directory.CreateDirectory(FeedDirectory);
            // A version no cache has seen, so the consumer can only restore the package just packed.
            Version = "0.0.0-ci." + DateTime.UtcNow.ToString("yyyyMMddHHmmss") + "." + Environment.ProcessId;
            Dotnet(RepositoryRoot, "pack", Path.Combine("src", "TaskVectors", "TaskVectors.csproj"), "-c", "Release",
                "--no-build", "-o", FeedDirectory, $"-p:PackageVersion={Version}");
            PackagePath = Path.Combine(FeedDirectory, $"TaskVectors.{Version}.nupkg");
            if (!File.Exists(PackagePath)) throw new FileNotFoundException("dotnet pack produced no package", PackagePath);
        }

        public string Root { get; }

        public string FeedDirectory { get; }

        public string Version { get; }

        public string PackagePath { get; }

        public void Dispose()
        {
            try { Directory.Delete(Root, recursive: true); }
            catch (IOException) { }
        }
    }
}
