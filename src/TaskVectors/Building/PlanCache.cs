// PlanCache: the folder of a plan's content-addressed results: factors/<key>.kfac.safetensors,
// task-vectors/<key>.tau.safetensors and checkpoints/<key>.ckpt.safetensors (a fine-tune in progress). Every file is
// written atomically by the library's writers, so an interrupted run leaves only complete files (and checkpoints).
namespace TaskVectors.Building;

internal sealed class PlanCache
{
    public PlanCache(string folder)
    {
        Folder = folder;
        foreach (string sub in new[] { "factors", "task-vectors", "checkpoints" }) Directory.CreateDirectory(Path.Combine(folder, sub));
    }

    public string Folder { get; }

    public string FactorPath(string key) => Path.Combine(Folder, "factors", key + ".kfac.safetensors");

    public string TaskVectorPath(string key) => Path.Combine(Folder, "task-vectors", key + ".tau.safetensors");

    public string CheckpointPath(string key) => Path.Combine(Folder, "checkpoints", key + ".ckpt.safetensors");
}
