// TestData: the repository's data files (UCI optdigits) found above the test assembly, and temporary folders.
namespace TaskVectors.Cli.Tests;

internal static class TestData
{
    public static string Digits { get; } = Find("data/optdigits/digits.csv.gz");

    public static string RepositoryRoot { get; } = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Digits)!, "..", ".."));

    public static string NewFolder(string prefix) => Directory.CreateTempSubdirectory("taskvectors-cli-" + prefix + "-").FullName;

    private static string Find(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, relative))) return Path.Combine(dir.FullName, relative);
        throw new FileNotFoundException($"Cannot find {relative} above {AppContext.BaseDirectory}.");
    }
}
