// NegationSettings: one task a plan negates (θ0 − α·τ_t), the task that serves as its control, and the protocol's settings.
using TaskVectors.Merging;

namespace TaskVectors.Building;

/// <summary>A negated task, its control task and the α grid / control threshold.</summary>
internal sealed record NegationSettings(string Task, string Control, EvaluationOptions Options);
