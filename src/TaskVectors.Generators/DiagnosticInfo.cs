// DiagnosticInfo: a diagnostic as equatable data — descriptor id, where (file, span, line span) and the
// message arguments — turned into a Roslyn Diagnostic only when the output stage reports it.
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace TaskVectors.Generators;

internal sealed record DiagnosticInfo(string Id, string? FilePath, TextSpan Span, LinePositionSpan LineSpan, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params string[] arguments)
    {
        var line = location?.GetLineSpan();
        return new DiagnosticInfo(descriptor.Id, location?.SourceTree?.FilePath, location?.SourceSpan ?? default, line?.Span ?? default,
            new EquatableArray<string>(arguments));
    }

    public Diagnostic ToDiagnostic()
    {
        var descriptor = ModelDiagnostics.All.First(d => d.Id == Id);
        var location = FilePath is null ? Location.None : Location.Create(FilePath, Span, LineSpan);
        return Diagnostic.Create(descriptor, location, Arguments.Cast<object>().ToArray());
    }
}
