// GeneratedMixerTests: end to end for the source generator — an MLP-Mixer declared only as annotated layers
// compiles, its parameter names load a safetensors file written by the hand-built twin, its generated passes
// pass the derivative checker and equal the twin's, and its KFAC factors equal the twin's bit for bit.
using TaskVectors.Curvature;
using TaskVectors.Merging;
using TaskVectors.Models;
using TaskVectors.Tensors;
using TaskVectors.Tests.Layers;

namespace TaskVectors.Tests.Models.Mixer;

public sealed class GeneratedMixerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tv-mixer-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // A hand-built twin with random weights, and the generated model loaded strictly from the twin's checkpoint.
    private (HandMixer Hand, GeneratedMixer Generated) Twins()
    {
        var hand = new HandMixer();
        MixerShape.Initialize(hand, 11);
        string path = Path.Combine(_dir, "mixer.safetensors");
        Checkpoint.Save(hand, path);
        var generated = new GeneratedMixer();
        Checkpoint.Load(generated, path);
        return (hand, generated);
    }

    [Fact]
    public void Registration_GeneratedMixer_NamesRolesAndOrderOfTheHandBuiltTwin()
    {
        var (hand, generated) = Twins();
        generated.Parameters.Select(p => p.Name).ShouldBe(hand.Parameters.Select(p => p.Name));
        generated.Parameters.Select(p => p.Name).ShouldContain("blocks.0.token_mixing.fc1.weight");
        generated.Registration.KfacLayers.Select(l => l.Name).ShouldBe(
            ["stem", "blocks.0.token_mixing.fc1", "blocks.0.token_mixing.fc2", "blocks.0.channel_mixing.fc1", "blocks.0.channel_mixing.fc2", "head"]);
        generated.Registration.PerSampleLayers.Count.ShouldBe(3);
        generated.Registration.Uncovered.ShouldBeEmpty();
        for (int k = 0; k < hand.Parameters.Count; k++)
            generated.Parameters[k].Value.Span.SequenceEqual(hand.Parameters[k].Value.Span).ShouldBeTrue(hand.Parameters[k].Name);
    }

    [Fact]
    public void Derivatives_GeneratedMixer_PassTheChecker()
    {
        var (_, generated) = Twins();
        ModelChecks.Derivatives(generated, MixerShape.Images(3, 2).CreateBatchOf(0, 1, 2)).ThrowIfFailed();
    }

    [Fact]
    public void Passes_GeneratedMixer_EqualTheHandWrittenPasses()
    {
        var (hand, generated) = Twins();
        var x = MixerShape.Images(2, 3).CreateBatchOf(0, 1);
        generated.Forward(x).Span.SequenceEqual(hand.Forward(x).Span).ShouldBeTrue("forward");
        var g = new Tensor(2, MixerShape.Embedding);
        new Rng(4).FillNormal(g.Span);
        generated.Backward(g);
        hand.Backward(g);
        for (int k = 0; k < hand.Parameters.Count; k++)
            generated.Parameters[k].Grad.Span.SequenceEqual(hand.Parameters[k].Grad.Span).ShouldBeTrue(hand.Parameters[k].Name);
        foreach (var (model, seed) in new (IEmbeddingModel<Tensor>, ulong)[] { (hand, 9), (generated, 9) })
        {
            var rng = new Rng(seed);
            foreach (var p in model.Parameters)
            {
                p.Tangent = new Tensor(p.Value.Shape);
                rng.FillNormal(p.Tangent.Span);
            }
        }
        generated.Jvp(x).Tangent.Span.SequenceEqual(hand.Jvp(x).Tangent.Span).ShouldBeTrue("jvp");
    }

    [Fact]
    public void Estimate_GeneratedMixer_FactorsEqualTheHandBuiltTwins()
    {
        var (hand, generated) = Twins();
        var data = MixerShape.Images(5, 6);
        var options = new KfacOptions { Probes = 2, BatchSize = 2, Seed = 3 };
        var expected = KfacEstimator.Estimate(hand, data, options);
        var actual = KfacEstimator.Estimate(generated, data, options);
        actual.Blocks.Select(b => b.Name).ShouldBe(expected.Blocks.Select(b => b.Name));
        actual.Blocks.Count.ShouldBe(6, "stem, token fc1 and fc2, channel fc1 and fc2, head: no two read the same input");
        for (int b = 0; b < expected.Blocks.Count; b++)
        {
            actual.Blocks[b].A.ShouldBe(expected.Blocks[b].A, expected.Blocks[b].Name + " A");
            actual.Blocks[b].G.ShouldBe(expected.Blocks[b].G, expected.Blocks[b].Name + " G");
        }
        actual.DenseBlocks.Select(d => d.Parameter).ShouldBe(expected.DenseBlocks.Select(d => d.Parameter));
        for (int d = 0; d < expected.DenseBlocks.Count; d++) actual.DenseBlocks[d].F.ShouldBe(expected.DenseBlocks[d].F);
        actual.Metadata[ModelFingerprint.MetadataKey].ShouldBe(expected.Metadata[ModelFingerprint.MetadataKey]);
    }

    [Fact]
    public void TrainingStep_GeneratedMixer_AllocatesNothingOnceWarm()
    {
        var (_, generated) = Twins();
        var x = MixerShape.Images(2, 5).CreateBatchOf(0, 1);
        var g = new Tensor(2, MixerShape.Embedding);
        new Rng(6).FillNormal(g.Span);
        SteadyStateAllocations.AssertNone(() =>
        {
            generated.Forward(x);
            generated.Backward(g);
            generated.Jvp(x);
        });
    }
}
