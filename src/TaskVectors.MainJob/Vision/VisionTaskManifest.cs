// VisionTaskManifest: data/vision-tasks/tasks.json, written by tools/vision-tasks: per task its name, class names,
// split sizes and the SHA-256 of every IDX file, so a damaged or replaced file is named before it is used.
using System.Text.Json;

namespace TaskVectors.MainJob.Vision;

/// <summary>One task of the manifest.</summary>
internal sealed record VisionTaskManifest(string Name, IReadOnlyList<string> Classes, IReadOnlyDictionary<string, int> Counts,
    string Source, string License, IReadOnlyDictionary<string, string> Sha256)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    /// <summary>Reads every task of <paramref name="path"/>.</summary>
    /// <exception cref="VisionRowDataException">The file is missing, is not such a manifest, or a task lacks a field.</exception>
    public static IReadOnlyList<VisionTaskManifest> Read(string path)
    {
        List<VisionTaskManifest>? tasks;
        try
        {
            tasks = JsonSerializer.Deserialize<List<VisionTaskManifest>>(File.ReadAllText(path), Json);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new VisionRowDataException(path, $"cannot read the task manifest ({e.Message}).", e);
        }
        if (tasks is null || tasks.Count == 0) throw new VisionRowDataException(path, "the task manifest lists no task.");
        foreach (var t in tasks)
        {
            if (string.IsNullOrWhiteSpace(t.Name) || t.Classes is not { Count: > 0 } || t.Counts is null || t.Sha256 is null)
                throw new VisionRowDataException(path, $"task '{t.Name}' lacks its name, classes, counts or SHA-256 list.");
            foreach (var split in VisionRow.Splits)
                if (!t.Counts.ContainsKey(split)) throw new VisionRowDataException(path, $"task '{t.Name}' gives no count for its {split} split.");
        }
        return tasks;
    }
}
