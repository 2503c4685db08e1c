// RegularizerPlan: which penalty a plan's fine-tunes carry (none, KFAC/TAK, diagonal GGN, τJp) and its settings.
namespace TaskVectors.Building;

/// <summary>The penalty of a plan's fine-tunes; a subtype per regularizer.</summary>
internal abstract record RegularizerPlan
{
    /// <summary>Whether phase 1 (KFAC factors at θ0 for every task) is needed.</summary>
    public abstract bool NeedsFactors { get; }
}
