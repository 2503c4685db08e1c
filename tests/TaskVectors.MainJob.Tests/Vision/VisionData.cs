// VisionData: locates the repository's data folder from the test binary upwards, and makes throw-away copies of the
// vision row's files (weights and tasks) that a test may damage.
namespace TaskVectors.MainJob.Tests.Vision;

internal static class VisionData
{
    /// <summary>The repository's <c>data</c> folder (the one holding vision-tasks/tasks.json).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>A temporary data root holding copies of pretrained/vit-fashion and vision-tasks; deleted on dispose.</summary>
    public static TemporaryRoot Copy()
    {
        var dir = Directory.CreateTempSubdirectory("taskvectors-vision-").FullName;
        foreach (var part in new[] { Path.Combine("pretrained", "vit-fashion"), "vision-tasks" })
            CopyTree(Path.Combine(Root, part), Path.Combine(dir, part));
        return new TemporaryRoot(dir);
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var sub in Directory.GetDirectories(from)) CopyTree(sub, Path.Combine(to, Path.GetFileName(sub)));
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "data", "vision-tasks", "tasks.json"))) return Path.Combine(dir.FullName, "data");
        throw new FileNotFoundException($"data/vision-tasks/tasks.json not found above {AppContext.BaseDirectory}");
    }
}
