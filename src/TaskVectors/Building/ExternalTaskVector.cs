// ExternalTaskVector: a task vector computed elsewhere (another party) that joins a plan's merge from its file.
namespace TaskVectors.Building;

/// <summary>A task-vector file and the name it carries in the plan.</summary>
internal sealed record ExternalTaskVector(string Name, string Path);
