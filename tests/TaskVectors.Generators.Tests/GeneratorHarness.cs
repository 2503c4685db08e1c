// GeneratorHarness: compiles C# source against the TaskVectors library and the runtime, runs ModelGenerator
// on it (with step tracking, for the incrementality tests) and returns the driver, the generated sources
// and the diagnostics of both the generator and the final compilation.
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using TaskVectors.Models;

namespace TaskVectors.Generators.Tests;

internal static class GeneratorHarness
{
    private static readonly CSharpParseOptions Parse = new(LanguageVersion.Latest);

    private static readonly ImmutableArray<MetadataReference> References =
    [
        .. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll")
            .Select(p => MetadataReference.CreateFromFile(p)),
        MetadataReference.CreateFromFile(typeof(ModuleScope).Assembly.Location),
    ];

    public static CSharpCompilation Compilation(params string[] sources) => CSharpCompilation.Create("Consumer",
        sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, Parse, path: $"Model{i}.cs")),
        References, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver Driver() => CSharpGeneratorDriver.Create([new ModelGenerator().AsSourceGenerator()],
        parseOptions: Parse, driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator; returns the generated model sources (marker excluded) and all diagnostics.</summary>
    public static (Dictionary<string, string> Sources, ImmutableArray<Diagnostic> GeneratorDiagnostics, ImmutableArray<Diagnostic> CompileErrors) Run(params string[] sources)
    {
        var compilation = Compilation(sources);
        var driver = Driver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var result = driver.GetRunResult().Results.Single();
        var generated = result.GeneratedSources.Where(s => s.HintName != ModelGenerator.MarkerHintName)
            .ToDictionary(s => s.HintName, s => s.SourceText.ToString());
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray();
        return (generated, diagnostics, errors);
    }
}
