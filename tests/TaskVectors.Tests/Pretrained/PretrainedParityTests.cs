// Parity of the converted pretrained bases with ONNX Runtime running the original ONNX export: sentence
// embeddings (all-MiniLM-L6-v2: masked mean + L2 as sentence-transformers; arctic-embed-xs: [CLS] + L2),
// the last hidden state and BERT's pooler output, on a batch of single sentences and a sentence pair
// padded to a common length. Tolerance 1e-5 absolute.
using TaskVectors.Models;
using TaskVectors.Pretrained;

namespace TaskVectors.Tests.Pretrained;

public sealed class PretrainedParityTests
{
    private const double Tolerance = 1e-5;

    [PretrainedFact("all-MiniLM-L6-v2")]
    public void Forward_MiniLmMeanPooling_MatchesOnnxRuntimeSentenceEmbeddings()
    {
        var minilm = PretrainedTestFiles.Get(PretrainedBases.AllMiniLmL6V2);
        var batch = PretrainedTestFiles.Batch(PretrainedTestFiles.Tokenizer(minilm), PretrainedTestFiles.Sentences, PretrainedTestFiles.Pair);
        batch.AttentionMask.Span.ContainsAnyExcept(1f).ShouldBeTrue("the batch must contain padding");
        batch.TokenTypeIds.ShouldContain(1, "the pair's second sentence has token type 1");

        var model = minilm.CreateModel();
        model.Pooling.ShouldBe(TextPooling.Mean);
        var embeddings = model.Forward(batch);

        var (hidden, _) = OnnxReference.Run(PretrainedTestFiles.OnnxBytes(PretrainedBases.AllMiniLmL6V2), batch);
        var expected = OnnxReference.MeanPoolNormalize(hidden, batch, minilm.Config.Width);
        OnnxReference.ShouldMatch(embeddings.Span, expected, Tolerance, "sentence embeddings");
        OnnxReference.ShouldMatch(model.LastHiddenState!.Span, hidden, OnnxReference.ScaledTolerance(hidden, Tolerance), "last_hidden_state");
    }

    [PretrainedFact("all-MiniLM-L6-v2")]
    public void Forward_MiniLmPooler_MatchesOnnxRuntimePoolerOutput()
    {
        var minilm = PretrainedTestFiles.Get(PretrainedBases.AllMiniLmL6V2);
        var batch = PretrainedTestFiles.Batch(PretrainedTestFiles.Tokenizer(minilm), PretrainedTestFiles.Sentences, PretrainedTestFiles.Pair);
        var model = minilm.CreateModel(TextPooling.Pooler);
        model.Forward(batch);
        var pooled = model.Pooler.Forward(model.LastHiddenState!); // tanh(h[:, 0]·Wᵀ + b), before the normalization

        var (_, expected) = OnnxReference.Run(PretrainedTestFiles.OnnxBytes(PretrainedBases.AllMiniLmL6V2), batch);
        expected.ShouldNotBeNull("the MiniLM export has a pooler output");
        OnnxReference.ShouldMatch(pooled.Span, expected, Tolerance, "pooler_output");
    }

    [PretrainedFact("snowflake-arctic-embed-xs")]
    public void Forward_ArcticXsClsPooling_MatchesOnnxRuntime()
    {
        var arctic = PretrainedTestFiles.Get(PretrainedBases.ArcticEmbedXs);
        arctic.HasPooler.ShouldBeFalse();
        var batch = PretrainedTestFiles.Batch(PretrainedTestFiles.Tokenizer(arctic), PretrainedTestFiles.Sentences, PretrainedTestFiles.Pair);
        var model = arctic.CreateModel();
        model.Pooling.ShouldBe(TextPooling.Cls);
        var embeddings = model.Forward(batch);

        var (hidden, pooled) = OnnxReference.Run(PretrainedTestFiles.OnnxBytes(PretrainedBases.ArcticEmbedXs), batch);
        pooled.ShouldBeNull("the arctic export has no pooler output");
        OnnxReference.ShouldMatch(embeddings.Span, OnnxReference.ClsNormalize(hidden, batch, arctic.Config.Width), Tolerance, "CLS embeddings");
        OnnxReference.ShouldMatch(model.LastHiddenState!.Span, hidden, OnnxReference.ScaledTolerance(hidden, Tolerance), "last_hidden_state");
    }

    [PretrainedFact("snowflake-arctic-embed-xs")]
    public void Load_ArcticXsWithoutMissingPoolerOption_FailsStrictlyNamingThePooler()
    {
        var arctic = PretrainedTestFiles.Get(PretrainedBases.ArcticEmbedXs);
        var error = Should.Throw<CheckpointMismatchException>(() => TextTransformer.Load(arctic.CheckpointPath, arctic.Config, TextPooling.Cls, CheckpointLoadOptions.Exact));
        error.Missing.ShouldBe(["pooler.dense.weight [384, 384]", "pooler.dense.bias [384]"]);
        Should.Throw<ArgumentException>(() => arctic.CreateModel(TextPooling.Pooler)).Message.ShouldContain("no pooler");
    }
}
