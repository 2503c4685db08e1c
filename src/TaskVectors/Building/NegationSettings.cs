// NegationSettings: one task a plan negates (θ0 − α·τ_t) and how its α is picked.
namespace TaskVectors.Building;

/// <summary>A negated task and its α criterion.</summary>
internal sealed record NegationSettings(string Task, NegationOptions Options);
