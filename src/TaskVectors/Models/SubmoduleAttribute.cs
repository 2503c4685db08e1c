// SubmoduleAttribute: marks a nested module (an IModule) of a [GeneratedModel] class.
namespace TaskVectors.Models;

/// <summary>A nested <see cref="IModule"/>: its registration (parameters, roles, exclusions) is declared in place.</summary>
/// <param name="name">The dotted name prefix, or null for the member-derived one (see <see cref="LayerAttribute"/>).</param>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, Inherited = false)]
public sealed class SubmoduleAttribute(string? name = null) : Attribute
{
    /// <summary>The name override, or null.</summary>
    public string? Name { get; } = name;
}
