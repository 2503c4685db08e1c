// Tests of VisionTransformer (CLIP layout): derivatives of the whole model against finite differences
// and the adjoint identity, Hugging Face names and sizes, strict save/load, steady-state allocations.
using TaskVectors.IO;
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Tests.Layers;

namespace TaskVectors.Tests.Models;

public sealed class VisionTransformerTests : IDisposable
{
    private static readonly VisionTransformerConfig Small = new()
    {
        ImageSize = 8, PatchSize = 4, Channels = 3, Width = 8, Layers = 2, Heads = 2, MlpWidth = 16, ProjectionDim = 6,
    };

    private readonly string _dir = Directory.CreateTempSubdirectory("tv-vit-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static VisionTransformer Model(ulong seed = 1, VisionTransformerConfig? config = null)
    {
        var model = new VisionTransformer(config ?? Small);
        model.Initialize(new Rng(seed), 0.3f);
        // Non-trivial LayerNorm affine parameters, so their derivatives are exercised too.
        var rng = new Rng(seed + 100);
        foreach (var p in model.Parameters.Where(p => p.Name.Contains("norm", StringComparison.Ordinal) || p.Name.Contains("layrnorm", StringComparison.Ordinal)))
            foreach (ref float v in p.Value.Span) v += 0.2f * (rng.NextSingle() - 0.5f);
        return model;
    }

    private static Tensor Images(int batch, ulong seed, VisionTransformerConfig? config = null)
    {
        var c = config ?? Small;
        var x = new Tensor(batch, c.Channels, c.ImageSize, c.ImageSize);
        new Rng(seed).FillNormal(x.Span);
        return x;
    }

    private static Probe ProbeOf(VisionTransformer model, Tensor images) => new()
    {
        Forward = () => model.Forward(images),
        Backward = g =>
        {
            model.Backward(g);
            return null;
        },
        Jvp = _ => model.Jvp(images),
        Parameters = model.Parameters,
    };

    [Fact]
    public void Backward_MatchesFiniteDifferences()
    {
        DerivativeChecks.Backward(ProbeOf(Model(), Images(3, 2)), coordinates: 6);
    }

    [Fact]
    public void Jvp_MatchesFiniteDifferences()
    {
        DerivativeChecks.Jvp(ProbeOf(Model(), Images(3, 3)));
    }

    [Fact]
    public void JvpAndBackward_SatisfyAdjointIdentity()
    {
        DerivativeChecks.Adjoint(ProbeOf(Model(), Images(3, 4)));
    }

    [Fact]
    public void Forward_Output_IsUnitNormPerImage()
    {
        var y = Model().Forward(Images(4, 5));
        y.Shape.ToArray().ShouldBe([4, 6]);
        for (int b = 0; b < 4; b++) TensorMath.Norm(y.Span.Slice(b * 6, 6)).ShouldBe(1f, 1e-5);
    }

    [Fact]
    public void Parameters_UseHuggingFaceNames()
    {
        var names = new VisionTransformer(Small).Parameters.Select(p => p.Name).ToList();
        names.ShouldBeUnique();
        names.ShouldContain("vision_model.embeddings.class_embedding");
        names.ShouldContain("vision_model.embeddings.patch_embedding.weight");
        names.ShouldContain("vision_model.embeddings.position_embedding.weight");
        names.ShouldContain("vision_model.pre_layrnorm.weight");
        names.ShouldContain("vision_model.encoder.layers.1.self_attn.k_proj.bias");
        names.ShouldContain("vision_model.encoder.layers.0.layer_norm2.bias");
        names.ShouldContain("vision_model.encoder.layers.1.mlp.fc2.weight");
        names.ShouldContain("vision_model.post_layernorm.bias");
        names.ShouldContain("visual_projection.weight");
        names.Count.ShouldBe(3 + 2 + 2 * 16 + 2 + 1);
    }

    [Fact]
    public void ParameterCount_B32_MatchesPublishedClipViTB32()
    {
        // OpenAI CLIP ViT-B/32's visual tower with its projection has 87,849,216 parameters.
        new VisionTransformer(VisionTransformerConfig.B32).Parameters.Sum(p => (long)p.Length).ShouldBe(87_849_216);
    }

    [Fact]
    public void SaveThenLoad_GivesBitIdenticalOutputs()
    {
        var model = Model(7);
        var images = Images(2, 8);
        var expected = model.Forward(images).Span.ToArray();
        string path = Path.Combine(_dir, "vit.safetensors");
        model.Save(path);
        ArrayAssert.Equal(VisionTransformer.Load(path, Small).Forward(images).Span, expected);
    }

    [Fact]
    public void Load_WrongMissingAndExtraTensors_ListsEach()
    {
        var model = Model(9);
        string path = Path.Combine(_dir, "bad.safetensors");
        var tensors = model.Parameters
            .Where(p => p.Name != "vision_model.post_layernorm.bias")
            .Select(p => p.Name == "visual_projection.weight" ? (p.Name, new Tensor(7, 8)) : (p.Name, p.Value))
            .Append(("text_projection.weight", new Tensor(6, 8)))
            .ToList();
        SafetensorsWriter.Write(path, tensors);
        var e = Should.Throw<CheckpointMismatchException>(() => VisionTransformer.Load(path, Small));
        e.Missing.ShouldBe(["vision_model.post_layernorm.bias [8]"]);
        e.Unexpected.ShouldBe(["text_projection.weight [6, 8]"]);
        e.Misshaped.ShouldBe(["visual_projection.weight: model [6, 8], file [7, 8]"]);
    }

    [Fact]
    public void Steps_SteadyState_AllocateNothing()
    {
        var model = Model(11);
        var images = Images(4, 12);
        var grad = new Tensor(4, 6);
        new Rng(13).FillNormal(grad.Span);
        foreach (var p in model.Parameters) p.Tangent = p.Value.Clone();
        SteadyStateAllocations.AssertNone(() =>
        {
            model.Forward(images);
            model.Backward(grad);
            model.Jvp(images);
            model.Backward(grad);
        });
    }

    [Fact]
    public void Forward_WrongImageSize_ThrowsNamingLayer()
    {
        Should.Throw<ArgumentException>(() => Model().Forward(new Tensor(1, 3, 9, 9))).Message.ShouldContain("patch_embedding");
    }
}
