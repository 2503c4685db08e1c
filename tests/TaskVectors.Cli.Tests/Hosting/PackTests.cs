// PackTests: the tool packs as a .NET tool: the package holds DotnetToolSettings.xml naming the `taskvectors` command
// and the tool's entry assembly, with the library beside it; `dotnet tool install` from the package gives a working
// `taskvectors` (installed into a temporary tool path with a temporary packages folder, so nothing is left behind).
using System.Diagnostics;
using System.IO.Compression;

namespace TaskVectors.Cli.Tests.Hosting;

public sealed class PackTests : IDisposable
{
    private readonly string _folder = TestData.NewFolder("pack");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Pack_CliProject_InstallsAsDotnetToolNamedTaskvectors()
    {
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        string project = Path.Combine(TestData.RepositoryRoot, "src", "TaskVectors.Cli", "TaskVectors.Cli.csproj");
        // The test project references the tool, so it is built in this configuration already: pack without building.
        Run("dotnet", "pack", project, "-c", configuration, "--no-build", "-o", _folder, "-nologo");
        string package = Directory.GetFiles(_folder, "TaskVectors.Cli.*.nupkg").ShouldHaveSingleItem();
        using var zip = ZipFile.OpenRead(package);
        var settings = zip.Entries.SingleOrDefault(e => e.FullName.EndsWith("/DotnetToolSettings.xml", StringComparison.Ordinal)).ShouldNotBeNull();
        using var reader = new StreamReader(settings.Open());
        string xml = reader.ReadToEnd();
        xml.ShouldContain("Name=\"taskvectors\"");
        xml.ShouldContain("EntryPoint=\"TaskVectors.Cli.dll\"");
        zip.Entries.ShouldContain(e => e.FullName.EndsWith("/TaskVectors.dll", StringComparison.Ordinal));
        zip.Entries.ShouldContain(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));

        string tools = Path.Combine(_folder, "tools");
        Run("dotnet", "tool", "install", "TaskVectors.Cli", "--tool-path", tools, "--add-source", _folder, "--ignore-failed-sources", "--version", Version(package));
        string help = Run(Path.Combine(tools, "taskvectors"), "--help");
        help.ShouldContain("merge");
        help.ShouldContain("Exit codes");
    }

    private static string Version(string package) => Path.GetFileNameWithoutExtension(package)["TaskVectors.Cli.".Length..];

    private string Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["NUGET_PACKAGES"] = Path.Combine(_folder, "packages");
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        process.ExitCode.ShouldBe(0, $"{file} {string.Join(' ', args)}\n{output}\n{error.Result}");
        return output;
    }
}
