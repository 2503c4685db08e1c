// GeneratedModelAttribute: marks a partial class whose registration (and, for a sequential model, whose
// Forward, Backward and Jvp) the TaskVectors source generator writes from its annotated members.
namespace TaskVectors.Models;

/// <summary>
/// Marks a <c>partial</c> class for the TaskVectors generator. It generates <see cref="IModule.Registration"/> (declaring,
/// in member order, every member marked <see cref="LayerAttribute"/>, <see cref="SubmoduleAttribute"/> or
/// <see cref="ModelParameterAttribute"/>), <see cref="Layers.IParameterized.Parameters"/>, and a
/// <c>private static string LayerName(string member)</c> giving each member's dotted name. With <see cref="Sequential"/> it
/// also generates Forward, Backward and Jvp of f = layer_n ∘ … ∘ layer_1, the <see cref="LayerAttribute"/> members in order.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class GeneratedModelAttribute : Attribute
{
    /// <summary>Whether the model is its layers applied in member order, so its passes are generated too (default false).</summary>
    public bool Sequential { get; set; }
}
