// ModelSpec: what the parser read from one [GeneratedModel] class — names, members in declaration order and
// diagnostics — as plain equatable data (no ISymbol, SyntaxNode or Location), the pipeline's cache key.
namespace TaskVectors.Generators;

/// <param name="Namespace">The containing namespace ("" for the global one).</param>
/// <param name="TypeName">The class name with its type parameters ("Mixer", "Box&lt;T&gt;").</param>
/// <param name="HintName">A file-name-safe unique name for the generated source.</param>
/// <param name="Sequential">Whether Forward, Backward and Jvp are generated.</param>
/// <param name="Members">The annotated members, in declaration order.</param>
/// <param name="Diagnostics">Problems found; any error suppresses the generated source.</param>
internal sealed record ModelSpec(string Namespace, string TypeName, string HintName, bool Sequential,
    EquatableArray<MemberSpec> Members, EquatableArray<DiagnosticInfo> Diagnostics);
