// ModelGeneratorDiagnosticTests: one test per diagnostic — each broken model reports its id at the offending
// declaration, with a help link, and generates no source.
using Microsoft.CodeAnalysis;

namespace TaskVectors.Generators.Tests;

public sealed class ModelGeneratorDiagnosticTests
{
    private static Diagnostic Single(string body, string classModifiers = "sealed partial", string attribute = "[GeneratedModel]")
    {
        string source = $$"""
            using TaskVectors.Layers;
            using TaskVectors.Models;
            using TaskVectors.Tensors;

            namespace Consumer;

            {{attribute}}
            public {{classModifiers}} class Broken
            {
            {{body}}
            }
            """;
        var (sources, diagnostics, _) = GeneratorHarness.Run(source);
        sources.ShouldBeEmpty("a model with an error generates nothing");
        var d = diagnostics.ShouldHaveSingleItem();
        d.Severity.ShouldBe(DiagnosticSeverity.Error);
        d.Descriptor.HelpLinkUri.ShouldEndWith("#" + d.Id.ToLowerInvariant());
        d.Location.GetLineSpan().Path.ShouldBe("Model0.cs");
        d.Location.GetLineSpan().StartLinePosition.Line.ShouldBeGreaterThanOrEqualTo(7, "at the class or member, not the usings");
        return d;
    }

    [Fact]
    public void Generate_ClassNotPartial_ReportsTV1001()
    {
        var d = Single("    [Layer] private readonly Linear _fc = new(\"fc\", 2, 2);", classModifiers: "sealed");
        d.Id.ShouldBe("TV1001");
        d.GetMessage().ShouldContain("'Broken'");
    }

    [Fact]
    public void Generate_LayerOfUnsupportedType_ReportsTV1002()
    {
        var d = Single("    [Layer] private readonly int _width = 3;");
        d.Id.ShouldBe("TV1002");
        d.GetMessage().ShouldContain("'_width'");
        d.GetMessage().ShouldContain("IParameterized");
    }

    [Fact]
    public void Generate_PlainParameterInSequentialModel_ReportsTV1002()
    {
        var d = Single("    [ModelParameter] private readonly Parameter _scale = new(\"scale\", new Tensor(2));", attribute: "[GeneratedModel(Sequential = true)]");
        d.Id.ShouldBe("TV1002");
        d.GetMessage().ShouldContain("sequential");
    }

    [Fact]
    public void Generate_TwoMembersWithOneName_ReportsTV1003()
    {
        var d = Single("""
                [Layer("fc")] private readonly Linear _first = new("fc", 2, 2);
                [Layer("fc")] private readonly Linear _second = new("fc", 2, 2);
            """);
        d.Id.ShouldBe("TV1003");
        d.GetMessage().ShouldContain("'_first' and '_second'");
    }

    [Fact]
    public void Generate_StaticMember_ReportsTV1004()
    {
        var d = Single("    [Layer] private static readonly Linear Shared = new(\"shared\", 2, 2);");
        d.Id.ShouldBe("TV1004");
        d.GetMessage().ShouldContain("'Shared'");
    }

    [Fact]
    public void Generate_SequenceWidthsDoNotChain_ReportsTV1005()
    {
        var d = Single("""
                [Layer] private readonly Linear _fc1 = new("fc1", 4, 16);
                [Layer] private readonly Gelu _activation = new();
                [Layer] private readonly Linear _fc2 = new("fc2", 12, 3);
            """, attribute: "[GeneratedModel(Sequential = true)]");
        d.Id.ShouldBe("TV1005");
        d.GetMessage().ShouldBe("Layer '_fc2' expects an input width of 12, but the layer before it produces 16");
    }

    [Fact]
    public void Generate_WidthsUnknownAtCompileTime_NoDiagnostic()
    {
        string source = """
            using TaskVectors.Layers;
            using TaskVectors.Models;
            using TaskVectors.Tensors;

            namespace Consumer;

            [GeneratedModel(Sequential = true)]
            internal sealed partial class Sized(int hidden) : IEmbeddingModel<Tensor>
            {
                [Layer] private readonly Linear _fc1 = new("fc1", 4, hidden);
                [Layer] private readonly Linear _fc2 = new("fc2", 12, 3);
                public int EmbeddingDim => 3;
            }
            """;
        var (sources, diagnostics, errors) = GeneratorHarness.Run(source);
        diagnostics.ShouldBeEmpty();
        errors.ShouldBeEmpty(string.Join("\n", errors));
        sources.Count.ShouldBe(1);
    }
}
