// Tests of Checkpoint: strict loading lists every missing, unexpected and mis-shaped tensor and loads
// nothing then; saving and loading round-trips bit for bit.
using TaskVectors.IO;
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Models;

public sealed class CheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tv-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class TwoLayers : IParameterized
    {
        public Linear A { get; } = new("enc.a", 3, 4);
        public Linear B { get; } = new("enc.b", 4, 2, bias: false);
        public IReadOnlyList<Parameter> Parameters => [.. A.Parameters, .. B.Parameters];
    }

    private static TwoLayers Random(ulong seed)
    {
        var m = new TwoLayers();
        var rng = new Rng(seed);
        foreach (var p in m.Parameters) rng.FillNormal(p.Value.Span);
        return m;
    }

    [Fact]
    public void SaveThenLoad_RoundTripsBitIdentical()
    {
        var source = Random(1);
        string path = Path.Combine(_dir, "m.safetensors");
        Checkpoint.Save(source, path, new Dictionary<string, string> { ["format"] = "pt" });
        var target = new TwoLayers();
        Checkpoint.Load(target, path);
        foreach (var (s, t) in source.Parameters.Zip(target.Parameters))
            ArrayAssert.Equal(t.Value.Span, s.Value.Span);
    }

    [Fact]
    public void Load_WrongMissingAndExtraTensors_ListsAllAndLoadsNothing()
    {
        string path = Path.Combine(_dir, "bad.safetensors");
        SafetensorsWriter.Write(path,
        [
            ("enc.a.weight", new Tensor(4, 3)),
            ("enc.a.bias", new Tensor(5)),                  // mis-shaped
            ("enc.c.weight", new Tensor(2, 2)),             // unexpected
            ("embeddings.position_ids", new Tensor(1, 7)),  // a buffer: ignored
        ]);                                                 // enc.b.weight missing
        var model = Random(2);
        var before = model.A.Weight.Value.Span.ToArray();
        var e = Should.Throw<CheckpointMismatchException>(() => Checkpoint.Load(model, path));
        e.Missing.ShouldBe(["enc.b.weight [2, 4]"]);
        e.Unexpected.ShouldBe(["enc.c.weight [2, 2]"]);
        e.Misshaped.ShouldBe(["enc.a.bias: model [4], file [5]"]);
        e.Message.ShouldContain("bad.safetensors");
        ArrayAssert.Equal(model.A.Weight.Value.Span, before);
    }

    [Fact]
    public void Load_StripPrefix_MatchesPrefixedNames()
    {
        var source = Random(3);
        string path = Path.Combine(_dir, "prefixed.safetensors");
        SafetensorsWriter.Write(path, source.Parameters.Select(p => ("bert." + p.Name, p.Value)));
        var target = new TwoLayers();
        Checkpoint.Load(target, path, stripPrefix: "bert.");
        ArrayAssert.Equal(target.B.Weight.Value.Span, source.B.Weight.Value.Span);
    }
}
