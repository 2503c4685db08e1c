// ModuleScopeTests: one registration per model — dotted names from pushed scopes, curvature roles, and
// the built-in models' parameter order (hence their fingerprints) equal to the hand-ordered lists they kept before.
using TaskVectors.Layers;
using TaskVectors.Merging;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Tests.Curvature;

namespace TaskVectors.Tests.Models;

public sealed class ModuleScopeTests
{
    private sealed class Listed(IReadOnlyList<Parameter> parameters) : IParameterized
    {
        public IReadOnlyList<Parameter> Parameters => parameters;
    }

    [Fact]
    public void Push_NestedScopes_BuildsDottedNames()
    {
        var root = new ModuleScope();
        var layer = root.Push("encoder").Push("layers.0");
        var fc = layer.Add("fc1", n => new Linear(n, 3, 4));
        layer.Prefix.ShouldBe("encoder.layers.0");
        fc.Weight.Name.ShouldBe("encoder.layers.0.fc1.weight");
        var r = root.Build();
        r.Parameters.Select(p => p.Name).ShouldBe(["encoder.layers.0.fc1.weight", "encoder.layers.0.fc1.bias"]);
        r.KfacLayers.ShouldBe([fc]);
        r.RoleOf(fc.Bias!).ShouldBe(CurvatureRole.Kronecker);
    }

    [Fact]
    public void Add_TwoParametersWithOneName_Throws()
    {
        var root = new ModuleScope();
        root.Add("fc", n => new Linear(n, 2, 2));
        Should.Throw<InvalidOperationException>(() => root.Add("fc", n => new Linear(n, 2, 2))).Message.ShouldContain("'fc.weight'");
    }

    [Fact]
    public void Exclude_ParameterWithABlock_Throws()
    {
        var root = new ModuleScope();
        var fc = root.Add("fc", n => new Linear(n, 2, 2));
        Should.Throw<InvalidOperationException>(() => root.Exclude(fc.Weight)).Message.ShouldContain("'fc.weight'");
    }

    [Fact]
    public void Add_AfterBuild_Throws()
    {
        var root = new ModuleScope();
        root.Build();
        Should.Throw<InvalidOperationException>(() => root.Add("fc", n => new Linear(n, 2, 2)));
    }

    [Fact]
    public void Registration_VisionTransformer_KeepsTheHandOrderedParameterList()
    {
        var m = TinyVit.Model();
        // The list the model kept by hand before registrations existed (Hugging Face's state-dict order).
        Parameter[] hand =
        [
            m.ClassPositionEmbedding.ClassEmbedding, .. m.PatchEmbedding.Parameters, m.ClassPositionEmbedding.PositionEmbedding,
            .. m.PreLayerNorm.Parameters,
            .. m.Blocks.SelectMany(b => (Parameter[])[.. b.LayerNorm1.Parameters, .. b.Attention.Parameters, .. b.LayerNorm2.Parameters, .. b.Fc1.Parameters, .. b.Fc2.Parameters]),
            .. m.PostLayerNorm.Parameters, .. m.Projection.Parameters,
        ];
        m.Parameters.ShouldBe(hand);
        ModelFingerprint.Compute(m).ShouldBe(ModelFingerprint.Compute(new Listed(hand)));
        m.Registration.PerSampleLayers.ShouldBe(
            [m.ClassPositionEmbedding, m.PreLayerNorm, .. m.Blocks.SelectMany(b => (IPerSampleGradients[])[b.LayerNorm1, b.LayerNorm2]), m.PostLayerNorm]);
        m.Registration.KfacLayers.ShouldBe([m.PatchEmbedding, .. m.Blocks.SelectMany(b => (IKfacLayer[])[b.Attention.Query, b.Attention.Key, b.Attention.Value, b.Attention.Output, b.Fc1, b.Fc2]), m.Projection]);
        m.Registration.RoleOf(m.ClassPositionEmbedding.ClassEmbedding).ShouldBe(CurvatureRole.Dense);
        m.Registration.RoleOf(m.ClassPositionEmbedding.PositionEmbedding).ShouldBe(CurvatureRole.Excluded);
        m.Registration.RoleOf(m.PatchEmbedding.Weight).ShouldBe(CurvatureRole.Kronecker);
        m.Registration.Uncovered.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(TextPooling.Pooler)]
    [InlineData(TextPooling.Cls)]
    [InlineData(TextPooling.Mean)]
    public void Registration_TextTransformer_KeepsTheHandOrderedParameterList(TextPooling pooling)
    {
        var m = new TextTransformer(BertReference.Tiny, pooling);
        BertReference.Randomize(m, 4);
        var e = m.Embeddings;
        Parameter[] hand =
        [
            .. e.Word.Parameters, .. e.Position.Parameters, .. e.TokenType.Parameters, .. e.Norm.Parameters,
            .. m.Layers.SelectMany(l => (Parameter[])[.. l.Attention.Parameters, .. l.AttentionNorm.Parameters, .. l.Intermediate.Parameters, .. l.Output.Parameters, .. l.OutputNorm.Parameters]),
            .. m.Pooler.Parameters,
        ];
        m.Parameters.ShouldBe(hand);
        ModelFingerprint.Compute(m).ShouldBe(ModelFingerprint.Compute(new Listed(hand)));
        m.Registration.PerSampleLayers.ShouldBe([e.Norm, .. m.Layers.SelectMany(l => (IPerSampleGradients[])[l.AttentionNorm, l.OutputNorm])]);
        m.Registration.RoleOf(m.Pooler.Dense.Weight).ShouldBe(pooling == TextPooling.Pooler ? CurvatureRole.Kronecker : CurvatureRole.Excluded);
        m.Registration.RoleOf(e.Word.Parameters[0]).ShouldBe(CurvatureRole.Excluded);
        m.Registration.Uncovered.ShouldBeEmpty();
    }

    [Fact]
    public void Registration_Mlp_KeepsTheHandOrderedParameterList()
    {
        var m = new Mlp(6, [5, 4], 3);
        m.Initialize(new Rng(2));
        Parameter[] hand = [.. m.Linears.SelectMany(l => l.Parameters)];
        m.Parameters.ShouldBe(hand);
        m.Parameters.Select(p => p.Name).ShouldBe(["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "layers.2.weight", "layers.2.bias"]);
        ModelFingerprint.Compute(m).ShouldBe(ModelFingerprint.Compute(new Listed(hand)));
    }
}
