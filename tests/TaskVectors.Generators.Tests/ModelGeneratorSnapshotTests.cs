// ModelGeneratorSnapshotTests: the generated source of representative models, compared with the checked-in
// snapshots in Snapshots/ byte for byte, and compiled without errors against the library.
using System.Runtime.CompilerServices;

namespace TaskVectors.Generators.Tests;

public sealed class ModelGeneratorSnapshotTests
{
    internal const string Registered = """
        using TaskVectors.Layers;
        using TaskVectors.Models;
        using TaskVectors.Tensors;

        namespace Consumer;

        [GeneratedModel]
        public sealed partial class Registered
        {
            [Layer] private readonly Linear _inputProjection;
            [Layer("encoder.norm")] private readonly LayerNorm _norm;
            [ModelParameter(Excluded = true)] private readonly Parameter _temperature;
            [Submodule("encoder.layers.0")] public ClipEncoderLayer Block { get; }
            public int Ignored;

            public Registered()
            {
                _inputProjection = new Linear(LayerName(nameof(_inputProjection)), 4, 8);
                _norm = new LayerNorm(LayerName(nameof(_norm)), 8);
                _temperature = new Parameter(LayerName(nameof(_temperature)), new Tensor(1));
                Block = new ClipEncoderLayer(LayerName(nameof(Block)), 8, 2, 16);
            }
        }
        """;

    internal const string Sequential = """
        using TaskVectors.Layers;
        using TaskVectors.Models;
        using TaskVectors.Tensors;

        namespace Consumer;

        [GeneratedModel(Sequential = true)]
        internal sealed partial class Mlp : IEmbeddingModel<Tensor>
        {
            [Layer("layers.0")] private readonly Linear _fc1 = new(LayerName(nameof(_fc1)), 4, 16);
            [Layer] private readonly Gelu _activation = new();
            [Layer("layers.1")] private readonly Linear _fc2 = new(LayerName(nameof(_fc2)), 16, 3);
            [Layer] private readonly L2Normalize _normalize = new();

            public int EmbeddingDim => 3;
        }
        """;

    [Fact]
    public void Generate_RegisteredModel_MatchesSnapshot() => Verify(Registered, "Consumer.Registered.g.cs");

    [Fact]
    public void Generate_SequentialModel_MatchesSnapshot() => Verify(Sequential, "Consumer.Mlp.g.cs");

    [Fact]
    public void Generate_SameInputTwice_IdenticalOutput()
    {
        GeneratorHarness.Run(Sequential).Sources["Consumer.Mlp.g.cs"].ShouldBe(GeneratorHarness.Run(Sequential).Sources["Consumer.Mlp.g.cs"]);
    }

    [Fact]
    public void Generate_AnyModel_AddsTheVersionMarker()
    {
        var driver = GeneratorHarness.Driver().RunGenerators(GeneratorHarness.Compilation(Registered));
        driver.GetRunResult().Results.Single().GeneratedSources.Select(s => s.HintName).ShouldContain(ModelGenerator.MarkerHintName);
    }

    [Fact]
    public void Generate_CompilationNamedTaskVectors_OmitsTheVersionMarker()
    {
        var compilation = GeneratorHarness.Compilation(Registered).WithAssemblyName("TaskVectors");
        var driver = GeneratorHarness.Driver().RunGenerators(compilation);
        driver.GetRunResult().Results.Single().GeneratedSources.Select(s => s.HintName).ShouldNotContain(ModelGenerator.MarkerHintName);
    }

    [Theory]
    [InlineData("_tokenFc1", "token_fc1")]
    [InlineData("PatchEmbedding", "patch_embedding")]
    [InlineData("HTMLParser", "html_parser")]
    [InlineData("fc2", "fc2")]
    [InlineData("Layer2Norm", "layer2_norm")]
    public void SnakeCase_MemberNames_HuggingFaceStyle(string member, string expected) => ModelParser.SnakeCase(member).ShouldBe(expected);

    private static void Verify(string source, string hintName, [CallerFilePath] string here = "")
    {
        var (sources, diagnostics, errors) = GeneratorHarness.Run(source);
        diagnostics.ShouldBeEmpty();
        errors.ShouldBeEmpty(string.Join("\n", errors));
        string path = Path.Combine(Path.GetDirectoryName(here)!, "Snapshots", hintName);
        string actual = sources[hintName];
        if (!File.Exists(path))
        {
            File.WriteAllText(path + ".received", actual);
            throw new ShouldAssertException($"No snapshot {path}; the output was written to {path}.received for review.");
        }
        actual.ShouldBe(File.ReadAllText(path).ReplaceLineEndings("\n"));
    }
}
