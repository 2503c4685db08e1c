// PretrainedTestFiles: the pretrained bases converted once per test run into a temporary cache, their
// raw ONNX bytes for ONNX Runtime, and token batches made with ML.Tokenizers' BertTokenizer from the
// package's vocab.txt (uncased, accents stripped), sentence pairs with token types, padded with a mask.
using System.Collections.Concurrent;
using Microsoft.ML.Tokenizers;
using TaskVectors.Models;
using TaskVectors.Pretrained;
using TaskVectors.Tensors;

namespace TaskVectors.Tests.Pretrained;

internal static class PretrainedTestFiles
{
    private static readonly ConcurrentDictionary<string, Lazy<PretrainedModel>> Converted = new();
    private static readonly ConcurrentDictionary<string, Lazy<byte[]>> Onnx = new();
    private static readonly Lazy<string> Cache = new(() =>
    {
        string path = Path.Combine(Path.GetTempPath(), "taskvectors-pretrained-" + Guid.NewGuid().ToString("N"));
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(path, recursive: true); }
            catch (IOException) { } // a leftover temp folder must not fail the run
        };
        return path;
    });

    /// <summary>Sentences of different lengths (so the batch pads), with accents and punctuation.</summary>
    public static readonly string[] Sentences =
    [
        "A man is playing a guitar.",
        "The café on the corner serves the best crème brûlée in town, or so they say.",
        "Dogs!",
        "Task arithmetic adds and subtracts the weight differences of fine-tuned models.",
    ];

    /// <summary>A sentence pair: token type 0 for the first, 1 for the second.</summary>
    public static readonly (string First, string Second) Pair = ("How old is the universe?", "About 13.8 billion years, astronomers estimate.");

    public static PretrainedModel Get(PretrainedBase pretrained) =>
        Converted.GetOrAdd(pretrained.Name, _ => new Lazy<PretrainedModel>(() => PretrainedStore.Get(pretrained, new PretrainedOptions { CacheDirectory = Cache.Value }))).Value;

    public static byte[] OnnxBytes(PretrainedBase pretrained) =>
        Onnx.GetOrAdd(pretrained.Name, _ => new Lazy<byte[]>(() => EmbeddedResource.Read(PretrainedStore.TryFindAssembly(pretrained)!, pretrained.ModelResource))).Value;

    public static BertTokenizer Tokenizer(PretrainedModel model) =>
        BertTokenizer.Create(model.VocabPath, new BertOptions { LowerCaseBeforeTokenization = true, RemoveNonSpacingMarks = true });

    /// <summary>The sentences, then the pair, padded with [PAD] (id 0) to the longest, mask 1 on real tokens.</summary>
    public static TextBatch Batch(BertTokenizer tokenizer, IReadOnlyList<string> sentences, (string First, string Second)? pair = null)
    {
        var rows = sentences.Select(s => (Ids: tokenizer.EncodeToIds(s, addSpecialTokens: true).ToArray(), Types: (int[]?)null)).ToList();
        if (pair is { } p)
        {
            var first = tokenizer.EncodeToIds(p.First, addSpecialTokens: false);
            var second = tokenizer.EncodeToIds(p.Second, addSpecialTokens: false);
            rows.Add(([.. tokenizer.BuildInputsWithSpecialTokens(first, second)], [.. tokenizer.CreateTokenTypeIdsFromSequences(first, second)]));
        }
        int b = rows.Count, t = rows.Max(r => r.Ids.Length);
        var ids = new int[b * t];
        var types = new int[b * t];
        var mask = new Tensor(b, t);
        for (int i = 0; i < b; i++)
        {
            rows[i].Ids.CopyTo(ids, i * t);
            rows[i].Types?.CopyTo(types, i * t);
            mask.Span.Slice(i * t, rows[i].Ids.Length).Fill(1f);
        }
        return new TextBatch(b, t, ids, types, mask);
    }
}
