// FilteredValueTests: mergekit-style per-tensor values: the first matching entry wins, a substring or glob filter,
// an entry without a filter as the default, and no match at all.
using TaskVectors.Cli.Merging;

namespace TaskVectors.Cli.Tests.Merging;

public sealed class FilteredValueTests
{
    private static readonly FilteredValue Value = new([("self_attn", 0.3), ("*.layers.1.*", 0.5), (null, 0.2)]);

    [Theory]
    [InlineData("vision_model.encoder.layers.0.self_attn.q_proj.weight", 0.3)]
    [InlineData("vision_model.encoder.layers.1.self_attn.q_proj.weight", 0.3)]
    [InlineData("vision_model.encoder.layers.1.mlp.fc1.weight", 0.5)]
    [InlineData("visual_projection.weight", 0.2)]
    public void At_TensorName_FirstMatchingEntry(string tensor, double expected) => Value.At(tensor).ShouldBe(expected);

    [Fact]
    public void At_NoDefaultAndNoMatch_Null() => new FilteredValue([("attn", 1.0)]).At("mlp.fc1.weight").ShouldBeNull();

    [Fact]
    public void IsUniform_ScalarOrFilterList_TrueOnlyForScalar()
    {
        FilteredValue.Of(2).IsUniform.ShouldBeTrue();
        Value.IsUniform.ShouldBeFalse();
    }
}
