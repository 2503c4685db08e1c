// EvaluationCache: evaluation results kept as JSON in the main job's cache folder, addressed by the SHA-256 of
// everything they depend on (base fingerprint, task-vector files — themselves content-addressed —, evaluation data
// and heads, grids), so a second run prints its table without touching the model.
using System.Text.Json;
using TaskVectors.Building;

namespace TaskVectors.MainJob;

internal sealed class EvaluationCache(string folder)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static string Key(params string[] parts) => ContentHash.Of(parts);

    public T? TryLoad<T>(string kind, string key) where T : class
    {
        string path = PathOf(kind, key);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json); }
        catch (JsonException) { return null; }   // a damaged entry is recomputed
    }

    public void Save<T>(string kind, string key, T value)
    {
        string path = PathOf(kind, key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(value, Json));
        File.Move(temporary, path, overwrite: true);
    }

    public string PathOf(string kind, string key) => Path.Combine(folder, "main-job", $"{kind}-{key}.json");
}
