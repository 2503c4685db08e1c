// LayerAttribute: marks a layer field or property of a [GeneratedModel] class.
namespace TaskVectors.Models;

/// <summary>
/// A layer of a <see cref="GeneratedModelAttribute"/> model (any <see cref="Layers.IParameterized"/>; in a sequential model
/// an <see cref="Layers.ILayer"/>). Its curvature role follows its type (see <see cref="ModuleScope"/>). Its dotted name is
/// <paramref name="name"/>, or else the member name in snake_case without a leading underscore ("_tokenFc1" → "token_fc1").
/// </summary>
/// <param name="name">The dotted Hugging Face name, or null for the member-derived one.</param>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, Inherited = false)]
public sealed class LayerAttribute(string? name = null) : Attribute
{
    /// <summary>The name override, or null.</summary>
    public string? Name { get; } = name;
}
