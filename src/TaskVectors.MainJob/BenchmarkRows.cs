// BenchmarkRows: the rows the main job knows by name, each loaded for the run's data folder and profile.
using TaskVectors.MainJob.Text;

namespace TaskVectors.MainJob;

/// <summary>The main job's named rows.</summary>
public static class BenchmarkRows
{
    private static readonly Dictionary<string, Func<MainJobOptions, BenchmarkRow>> Loaders = new(StringComparer.Ordinal)
    {
        ["text"] = o => TextRow.Load(o.DataRoot, o.Profile == MainJobProfile.Quick ? TextRowOptions.Quick : TextRowOptions.Full),
        ["vision"] = o => Vision.VisionRow.Load(o.DataRoot),
    };

    /// <summary>The row names, in the order the main job runs them by default.</summary>
    public static IReadOnlyList<string> Names => [.. Loaders.Keys];

    /// <summary>Loads the row named <paramref name="name"/> for <paramref name="options"/>' data folder and profile.</summary>
    /// <exception cref="ArgumentException">No row has that name.</exception>
    public static BenchmarkRow Load(string name, MainJobOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Loaders.TryGetValue(name, out var load) ? load(options)
            : throw new ArgumentException($"No row is named '{name}'; known: {string.Join(", ", Names)}.", nameof(name));
    }

    /// <summary>
    /// The repository's <c>data</c> folder: the first <c>data</c> holding <c>text-tasks</c> in or above one of
    /// <paramref name="startFolders"/>, tried in order.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">None is found.</exception>
    public static string FindDataRoot(params string[] startFolders)
    {
        foreach (string start in startFolders)
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (Directory.Exists(Path.Combine(dir.FullName, "data", "text-tasks"))) return Path.Combine(dir.FullName, "data");
        throw new DirectoryNotFoundException($"No data/text-tasks above {string.Join(" or ", startFolders)}; pass --data DIR (the repository's data folder).");
    }
}
