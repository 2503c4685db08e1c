// Tests of ContentHash, the cache's addresses: equal content gives equal addresses whatever the instance; one changed
// pixel, label, head entry or setting changes the address; lists and nested records are part of the settings text.
using TaskVectors.Building;
using TaskVectors.Curvature;
using TaskVectors.Data;
using TaskVectors.Tests.Training;
using TaskVectors.Training;

namespace TaskVectors.Tests.Building;

public sealed class ContentHashTests
{
    [Fact]
    public void Data_EqualContent_SameAddressAndAnyChangeMovesIt()
    {
        var a = FineTuneFixture.Data(count: 300, seed: 4); // more than one hashing chunk of 256
        var b = FineTuneFixture.Data(count: 300, seed: 4);
        ContentHash.Data(a).ShouldBe(ContentHash.Data(b));

        b.Images.Span[299 * 64 + 5] += 1e-6f;
        ContentHash.Data(b).ShouldNotBe(ContentHash.Data(a));
        var labels = Enumerable.Range(0, a.Count).Select(a.Label).ToArray();
        labels[7] = (labels[7] + 1) % a.Classes;
        ContentHash.Data(new ImageData(a.Images, labels, a.Classes, a.Description)).ShouldNotBe(ContentHash.Data(a));
    }

    [Fact]
    public void Head_ChangedEntry_MovesTheAddress()
    {
        var head = FineTuneFixture.Head();
        string before = ContentHash.Head(head);
        ContentHash.Head(FineTuneFixture.Head()).ShouldBe(before);
        head.Weight.Value.Span[0] += 1f;
        ContentHash.Head(head).ShouldNotBe(before);
    }

    [Fact]
    public void Settings_EverySettingCounts_RunOnlyOnesAreSkipped()
    {
        var o = new FineTuneOptions();
        string text = ContentHash.Settings(o, "CheckpointPath");
        ContentHash.Settings(o with { LearningRate = 0.0003 }, "CheckpointPath").ShouldBe(text); // equal settings, another instance
        ContentHash.Settings(o with { LearningRate = 3.1e-4 }, "CheckpointPath").ShouldNotBe(text);
        ContentHash.Settings(o with { Trainable = ParameterSelection.AttentionOnly }, "CheckpointPath").ShouldNotBe(text);
        ContentHash.Settings(o with { CheckpointPath = "elsewhere" }, "CheckpointPath").ShouldBe(text);
        ContentHash.Settings(new TakOptions { ProjectionBlocks = ["a"] }).ShouldNotBe(ContentHash.Settings(new TakOptions { ProjectionBlocks = ["b"] }));
        ContentHash.Of("ab", "c").ShouldNotBe(ContentHash.Of("a", "bc"));
    }
}
