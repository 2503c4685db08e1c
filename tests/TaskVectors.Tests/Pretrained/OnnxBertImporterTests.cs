// OnnxBertImporter on the real exports and on mutations of them: names recovered from the graph
// (MiniLM's numbered weights) and from node names (arctic's "onnx::MatMul_*", both routes agreeing),
// [in, out] weights transposed, the config read from the graph, and every ambiguity an error naming
// the tensors at fault.
using Google.Protobuf;
using Onnx;
using TaskVectors.Models;
using TaskVectors.Pretrained;

namespace TaskVectors.Tests.Pretrained;

public sealed class OnnxBertImporterTests
{
    private static ModelProto Parse(PretrainedBase pretrained) => ModelProto.Parser.ParseFrom(PretrainedTestFiles.OnnxBytes(pretrained));

    private static OnnxBertImport Inspect(ModelProto model) => OnnxBertImporter.Inspect(model.ToByteArray(), "mutated");

    private static NodeProto Node(ModelProto model, Func<NodeProto, bool> match) => model.Graph.Node.First(match);

    [PretrainedFact("all-MiniLM-L6-v2")]
    public void Inspect_MiniLm_RecoversNumberedWeightsAndReadsTheConfig()
    {
        var import = OnnxBertImporter.Inspect(PretrainedTestFiles.OnnxBytes(PretrainedBases.AllMiniLmL6V2));
        import.Config.ShouldBe(new TextTransformerConfig
        {
            VocabSize = 30522, Width = 384, Layers = 6, Heads = 12, MlpWidth = 1536, MaxPositions = 512, TypeVocabSize = 2, LayerNormEps = 1e-12f,
        });
        import.HasPooler.ShouldBeTrue();
        import.Recovered.Count().ShouldBe(36, "six Linear weights in each of six blocks are numbered");
        import.Transposed.Count.ShouldBe(36, "the pooler goes through Gemm with transB = 1 and keeps [out, in]");
        import.Sources["encoder.layer.0.attention.self.query.weight"].ShouldBe("927");
        import.Sources["encoder.layer.0.intermediate.dense.weight"].ShouldBe("938");
        import.Sources.ShouldNotContainKey("embeddings.position_ids");
        import.Sources.Count.ShouldBe(103, "5 embedding tensors, 16 per block, 2 pooler tensors");
    }

    [PretrainedFact("snowflake-arctic-embed-xs")]
    public void Inspect_ArcticXs_GraphAndNodeNamesAgreeAndNoPooler()
    {
        var import = OnnxBertImporter.Inspect(PretrainedTestFiles.OnnxBytes(PretrainedBases.ArcticEmbedXs));
        import.HasPooler.ShouldBeFalse();
        import.Config.Layers.ShouldBe(6);
        import.Config.Heads.ShouldBe(12);
        import.Sources["encoder.layer.0.attention.self.query.weight"].ShouldBe("onnx::MatMul_788");
        import.Sources["encoder.layer.5.output.dense.weight"].ShouldBe("onnx::MatMul_865");
        import.Recovered.Count().ShouldBe(36);
    }

    [PretrainedFact("all-MiniLM-L6-v2")]
    public void Convert_MiniLm_WritesWeightsTransposedToOutIn()
    {
        var model = Parse(PretrainedBases.AllMiniLmL6V2);
        var raw = model.Graph.Initializer.First(t => t.Name == "938"); // intermediate.dense of block 0, [384, 1536] = [in, out]
        float[] stored = raw.RawData.Span.ToArray().Chunk(4).Select(b => BitConverter.ToSingle(b)).ToArray();
        var minilm = PretrainedTestFiles.Get(PretrainedBases.AllMiniLmL6V2);
        using var file = TaskVectors.IO.SafetensorsFile.Open(minilm.CheckpointPath);
        var weight = file.ReadTensor("encoder.layer.0.intermediate.dense.weight");
        weight.Shape.ToArray().ShouldBe([1536, 384]);
        foreach (var (o, i) in new[] { (0, 0), (1, 0), (0, 1), (1535, 383), (700, 5) })
            weight[o, i].ShouldBe(stored[i * 1536 + o]);
        file.Metadata["num_attention_heads"].ShouldBe("12");
        file.Metadata["source_sha256"].ShouldBe(PretrainedBases.AllMiniLmL6V2.ModelSha256);
    }

    [PretrainedFact("snowflake-arctic-embed-xs")]
    public void Inspect_GraphRouteBroken_NodeNameRouteStillNamesTheWeight()
    {
        var model = Parse(PretrainedBases.ArcticEmbedXs);
        var matMul = Node(model, n => n.Name == "/encoder/layer.0/attention/self/query/MatMul");
        // A second reader of the MatMul's output: the graph route needs exactly one Add and gives up.
        model.Graph.Node.Add(new NodeProto { Name = "extra", OpType = "Identity", Input = { matMul.Output[0] }, Output = { "extra_out" } });
        Inspect(model).Sources["encoder.layer.0.attention.self.query.weight"].ShouldBe("onnx::MatMul_788");
    }

    [PretrainedFact("snowflake-arctic-embed-xs")]
    public void Inspect_GraphAndNodeNameDisagree_ThrowsNamingTheTensor()
    {
        var model = Parse(PretrainedBases.ArcticEmbedXs);
        Node(model, n => n.Name == "/encoder/layer.0/attention/self/query/MatMul").Name = "/encoder/layer.0/attention/self/key/MatMul";
        var error = Should.Throw<OnnxImportException>(() => Inspect(model));
        error.Tensors.ShouldHaveSingleItem().ShouldContain("onnx::MatMul_788");
        error.Tensors[0].ShouldContain("encoder.layer.0.attention.self.query.weight");
        error.Tensors[0].ShouldContain("encoder.layer.0.attention.self.key.weight");
    }

    [PretrainedFact("all-MiniLM-L6-v2")]
    public void Inspect_NoRouteToAName_ThrowsListingTheUnmappedTensors()
    {
        var model = Parse(PretrainedBases.AllMiniLmL6V2);
        // Rename the bias the numbered query weight's Add reads: neither route can name "927" (node names are "MatMul_34").
        const string bias = "encoder.layer.0.attention.self.query.bias";
        model.Graph.Initializer.First(t => t.Name == bias).Name = "renamed";
        foreach (var node in model.Graph.Node)
            for (int i = 0; i < node.Input.Count; i++)
                if (node.Input[i] == bias) node.Input[i] = "renamed";
        var error = Should.Throw<OnnxImportException>(() => Inspect(model));
        error.Tensors.Count.ShouldBe(2);
        error.Tensors.ShouldContain(t => t.StartsWith("927 [384, 384]"));
        error.Tensors.ShouldContain(t => t.StartsWith("renamed [384]"));
    }

    [PretrainedFact("all-MiniLM-L6-v2")]
    public void Inspect_OneLayerNormWithAnotherEps_ThrowsNamingIt()
    {
        var model = Parse(PretrainedBases.AllMiniLmL6V2);
        // Block 2's output LayerNorm: Mul(γ) <- Div <- Sqrt <- Add(ReduceMean, eps).
        var mul = model.Graph.Node.First(n => n.OpType == "Mul" && n.Input.Contains("encoder.layer.2.output.LayerNorm.weight"));
        var producers = model.Graph.Node.SelectMany(n => n.Output.Select(o => (o, n))).ToDictionary(p => p.o, p => p.n);
        var div = producers[mul.Input[0]];
        var add = producers[producers[div.Input[1]].Input[0]];
        var epsNode = producers[add.Input[1]];
        epsNode.OpType.ShouldBe("Constant");
        epsNode.Attribute[0].T = new TensorProto { DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(BitConverter.GetBytes(1e-5f)) };
        var error = Should.Throw<OnnxImportException>(() => Inspect(model));
        error.Problem.ShouldContain("LayerNorm epsilon");
        error.Tensors.ShouldContain(t => t.StartsWith("1E-05: encoder.layer.2.output.LayerNorm.weight"));
    }

    [PretrainedFact("all-MiniLM-L6-v2")]
    public void Inspect_HeadsDisagreeBetweenBlocks_ThrowsListingTheBiases()
    {
        var model = Parse(PretrainedBases.AllMiniLmL6V2);
        // Block 0's key Reshape reads Concat(b, t, "929", "930") = (…, 12, 32); make it (…, 6, 64).
        model.Graph.Initializer.First(t => t.Name == "929").RawData = ByteString.CopyFrom(BitConverter.GetBytes(6L));
        model.Graph.Initializer.First(t => t.Name == "930").RawData = ByteString.CopyFrom(BitConverter.GetBytes(64L));
        var error = Should.Throw<OnnxImportException>(() => Inspect(model));
        error.Problem.ShouldContain("head count");
        error.Tensors.ShouldContain(t => t.StartsWith("6: encoder.layer.0.attention.self.key.bias"));
    }

    [PretrainedFact("all-MiniLM-L6-v2")]
    public void Inspect_ErfReplaced_ThrowsUnsupportedActivation()
    {
        var model = Parse(PretrainedBases.AllMiniLmL6V2);
        model.Graph.Node.First(n => n.OpType == "Erf").OpType = "Tanh";
        Should.Throw<OnnxImportException>(() => Inspect(model)).Problem.ShouldContain("erf GELU");
    }

    [PretrainedFact("all-MiniLM-L6-v2")]
    public void Inspect_ScalarFloatConstantInitializer_DroppedButAnUnnamedVectorIsAnError()
    {
        var model = Parse(PretrainedBases.AllMiniLmL6V2);
        // Exporters may store eps or √d as float initializers: one element, read by Add/Div, not a parameter.
        model.Graph.Initializer.Add(new TensorProto { Name = "onnx::Div_9000", DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(BitConverter.GetBytes(8f)) });
        Inspect(model).Sources.Count.ShouldBe(103);

        model.Graph.Initializer.Add(new TensorProto { Name = "onnx::Mul_9001", DataType = (int)TensorProto.Types.DataType.Float, Dims = { 2 }, RawData = ByteString.CopyFrom(new byte[8]) });
        Should.Throw<OnnxImportException>(() => Inspect(model)).Tensors.ShouldHaveSingleItem().ShouldStartWith("onnx::Mul_9001 [2] Float: read by no node");
    }

    [Fact]
    public void Inspect_NotOnnx_ThrowsInvalidData()
    {
        Should.Throw<InvalidDataException>(() => OnnxBertImporter.Inspect("this is not a protobuf model"u8, "text.onnx")).Message.ShouldContain("text.onnx");
    }
}
