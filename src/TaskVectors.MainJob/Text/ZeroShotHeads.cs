// ZeroShotHeads: CLIP-style zero-shot heads for a text encoder: class c's head vector is the base model's
// L2-normalized sentence embedding of the class prompt, (classes, C). Frozen; never part of a task vector.
using TaskVectors.Data;
using TaskVectors.Layers;
using TaskVectors.Models;
using TaskVectors.Tensors;

namespace TaskVectors.MainJob.Text;

internal static class ZeroShotHeads
{
    /// <summary>Logit scale of the heads (CLIP's 100: cosines of sentence embeddings differ by a few hundredths).</summary>
    public const float LogitScale = 100f;

    /// <summary>The (prompts, C) matrix of normalized prompt embeddings f(prompt; θ0) / ‖f‖.</summary>
    public static Tensor Embed(IEmbeddingModel<TextBatch> model, TextTokenizer tokenizer, IReadOnlyList<string> prompts, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (prompts.Count == 0) throw new ArgumentException("No class prompts.", nameof(prompts));
        var f = model.Forward(tokenizer.EncodeBatch(prompts, null, maxLength));
        int c = model.EmbeddingDim;
        var result = new Tensor(prompts.Count, c);
        for (int i = 0; i < prompts.Count; i++)
        {
            var row = f.Span.Slice(i * c, c);
            double norm = 0;
            foreach (float v in row) norm += (double)v * v;
            norm = Math.Sqrt(norm);
            if (!(norm > 0) || !double.IsFinite(norm)) throw new ArgumentException($"The embedding of prompt '{prompts[i]}' has norm {norm}.", nameof(prompts));
            for (int j = 0; j < c; j++) result.Span[i * c + j] = (float)(row[j] / norm);
        }
        return result;
    }

    /// <summary>The frozen cosine head of a task from its class prompts.</summary>
    public static CosineHead Create(string task, IEmbeddingModel<TextBatch> model, TextTokenizer tokenizer, IReadOnlyList<string> prompts, int maxLength) =>
        new($"{task} zero-shot head", Embed(model, tokenizer, prompts, maxLength), LogitScale);
}
