// MemberSpec: one annotated member of a model: its C# name, its dotted Hugging Face name and its kind.
namespace TaskVectors.Generators;

internal enum MemberKind
{
    Layer,
    Submodule,
    Parameter,
}

/// <param name="Member">The field or property name.</param>
/// <param name="Name">The dotted name: the layer's prefix, or the plain parameter's full name.</param>
/// <param name="Kind">Layer, nested module or plain parameter.</param>
/// <param name="Excluded">A plain parameter declared without curvature.</param>
internal sealed record MemberSpec(string Member, string Name, MemberKind Kind, bool Excluded);
