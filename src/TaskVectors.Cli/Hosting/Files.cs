// Files: input-file checks shared by the commands (existence first, so a missing file is reported as such and
// named by the option that gave it).
namespace TaskVectors.Cli.Hosting;

internal static class Files
{
    /// <summary>Throws FileNotFoundException naming <paramref name="option"/> unless <paramref name="path"/> exists.</summary>
    public static string Existing(string path, string option) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"{option}: no such file: '{path}'.", path);

    /// <summary>Throws DirectoryNotFoundException naming <paramref name="option"/> unless the folder <paramref name="path"/> exists.</summary>
    public static string ExistingFolder(string path, string option) =>
        Directory.Exists(path) ? path : throw new DirectoryNotFoundException($"{option}: no such folder: '{path}'.");

    /// <summary>The folder of <paramref name="output"/> exists (created if needed).</summary>
    public static string Output(string output)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(output));
        if (folder is not null) Directory.CreateDirectory(folder);
        return output;
    }
}
