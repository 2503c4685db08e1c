// ModelDiagnostics: the generator's diagnostics, TV1001–TV1005, each with a title, a message and a help
// link to its entry in Diagnostics.md.
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace TaskVectors.Generators;

internal static class ModelDiagnostics
{
    private const string Category = "TaskVectors.Generators";
    private const string Help = "https://github.com/TaskVectors/TaskVectors/blob/main/src/TaskVectors.Generators/Diagnostics.md#";

    public static readonly DiagnosticDescriptor NotPartial = Create("TV1001", "Generated model class must be partial and top-level",
        "The class '{0}' is marked [GeneratedModel] but is not a partial, top-level class, so nothing can be generated for it");

    public static readonly DiagnosticDescriptor UnsupportedMember = Create("TV1002", "Unsupported member type",
        "Member '{0}' of type '{1}' cannot be a {2}: {3}");

    public static readonly DiagnosticDescriptor DuplicateName = Create("TV1003", "Duplicate parameter name",
        "Members '{0}' and '{1}' both register parameters under the name '{2}'");

    public static readonly DiagnosticDescriptor StaticMember = Create("TV1004", "Static member in a model",
        "Member '{0}' is static; a model's layers and parameters must be instance members");

    public static readonly DiagnosticDescriptor WidthMismatch = Create("TV1005", "Layer widths do not chain",
        "Layer '{0}' expects an input width of {1}, but the layer before it produces {2}");

    public static readonly ImmutableArray<DiagnosticDescriptor> All = [NotPartial, UnsupportedMember, DuplicateName, StaticMember, WidthMismatch];

    private static DiagnosticDescriptor Create(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: Help + id.ToLowerInvariant());
}
