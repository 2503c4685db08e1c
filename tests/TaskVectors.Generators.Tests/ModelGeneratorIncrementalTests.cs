// ModelGeneratorIncrementalTests: the pipeline caches — the same input re-run is Cached, an edit inside a
// method body leaves the parsed model Unchanged (so no source is re-emitted), a new annotated member Modifies it.
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace TaskVectors.Generators.Tests;

public sealed class ModelGeneratorIncrementalTests
{
    private const string Source = """
        using TaskVectors.Layers;
        using TaskVectors.Models;

        namespace Consumer;

        [GeneratedModel]
        public sealed partial class Model
        {
            [Layer] private readonly Linear _fc = new(LayerName(nameof(_fc)), 2, 3);

            public int Twice(int x)
            {
                return 2 * x;
            }
        }
        """;

    private static IncrementalStepRunReason ModelsReason(GeneratorDriver driver) =>
        driver.GetRunResult().Results.Single().TrackedSteps[ModelGenerator.ModelsStep].Single().Outputs.Single().Reason;

    private static (GeneratorDriver Driver, Compilation Compilation) First()
    {
        var compilation = GeneratorHarness.Compilation(Source);
        return (GeneratorHarness.Driver().RunGenerators(compilation), compilation);
    }

    private static Compilation Edit(Compilation compilation, string from, string to)
    {
        var tree = compilation.SyntaxTrees.Single();
        var edited = CSharpSyntaxTree.ParseText(tree.ToString().Replace(from, to), (CSharpParseOptions)tree.Options, tree.FilePath);
        return compilation.ReplaceSyntaxTree(tree, edited);
    }

    [Fact]
    public void Run_SameCompilationAgain_Cached()
    {
        var (driver, compilation) = First();
        ModelsReason(driver.RunGenerators(compilation)).ShouldBe(IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void Run_EquivalentCompilation_UnchangedModelNoNewSource()
    {
        // A new Compilation object re-runs the semantic transform; the equatable model then stops the change there.
        var (driver, compilation) = First();
        var rerun = driver.RunGenerators(compilation.Clone());
        ModelsReason(rerun).ShouldBe(IncrementalStepRunReason.Unchanged);
    }

    [Fact]
    public void Run_EditInsideMethodBody_Unchanged()
    {
        var (driver, compilation) = First();
        var rerun = driver.RunGenerators(Edit(compilation, "return 2 * x;", "return x + x;"));
        ModelsReason(rerun).ShouldBe(IncrementalStepRunReason.Unchanged);
    }

    [Fact]
    public void Run_NewAnnotatedMember_Modified()
    {
        var (driver, compilation) = First();
        var rerun = driver.RunGenerators(Edit(compilation, "    public int Twice",
            "    [Layer] private readonly Linear _out = new(LayerName(nameof(_out)), 3, 1);\n\n    public int Twice"));
        ModelsReason(rerun).ShouldBe(IncrementalStepRunReason.Modified);
        rerun.GetRunResult().GeneratedTrees.Single(t => t.FilePath.EndsWith("Consumer.Model.g.cs", StringComparison.Ordinal))
            .ToString().ShouldContain("scope.Add(\"out\", __Required(this._out, \"_out\"));");
    }
}
