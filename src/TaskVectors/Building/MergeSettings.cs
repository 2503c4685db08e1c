// MergeSettings: how a plan merges its task vectors: a registered method by name (created at run time, so a
// curvature-based method receives the plan's factors) or a method instance, and the α selection.
using TaskVectors.Merging;

namespace TaskVectors.Building;

/// <summary>A merge by registry name (with options) or by instance, and its α.</summary>
internal sealed record MergeSettings(string? MethodName, MergeOptions? Options, IMergeMethod? Method, AlphaSelection Alpha)
{
    /// <summary>The registered methods that read one factor file per task (<see cref="MergeOptions.Factors"/>).</summary>
    public static readonly IReadOnlyList<string> CurvatureMethods = ["regmean", "fisher"];

    /// <summary>Whether the plan must hand the method its tasks' factors.</summary>
    public bool NeedsFactors => MethodName is not null && Options?.Factors is null && CurvatureMethods.Contains(MethodName);

    /// <summary>The method's name.</summary>
    public string Name => MethodName ?? Method!.Name;
}
