// PackTests: the tool packs as a .NET tool: the package holds DotnetToolSettings.xml naming the `taskvectors` command
// and the tool's entry assembly, with the library beside it.
using System.Diagnostics;
using System.IO.Compression;

namespace TaskVectors.Cli.Tests.Hosting;

public sealed class PackTests : IDisposable
{
    private readonly string _folder = TestData.NewFolder("pack");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Pack_CliProject_NupkgIsADotnetToolNamedTaskvectors()
    {
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        string project = Path.Combine(TestData.RepositoryRoot, "src", "TaskVectors.Cli", "TaskVectors.Cli.csproj");
        // The test project references the tool, so it is built in this configuration already: pack without building.
        var start = new ProcessStartInfo("dotnet", ["pack", project, "-c", configuration, "--no-build", "-o", _folder, "-nologo"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        process.ExitCode.ShouldBe(0, output);
        string package = Directory.GetFiles(_folder, "TaskVectors.Cli.*.nupkg").ShouldHaveSingleItem();
        using var zip = ZipFile.OpenRead(package);
        var settings = zip.Entries.SingleOrDefault(e => e.FullName.EndsWith("/DotnetToolSettings.xml", StringComparison.Ordinal)).ShouldNotBeNull();
        using var reader = new StreamReader(settings.Open());
        string xml = reader.ReadToEnd();
        xml.ShouldContain("Name=\"taskvectors\"");
        xml.ShouldContain("EntryPoint=\"TaskVectors.Cli.dll\"");
        zip.Entries.ShouldContain(e => e.FullName.EndsWith("/TaskVectors.dll", StringComparison.Ordinal));
        zip.Entries.ShouldContain(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
    }
}
