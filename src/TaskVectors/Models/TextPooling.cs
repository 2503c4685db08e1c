// TextPooling: how a TextTransformer turns its last hidden state h (B, T, W) into one vector per
// sequence (B, W) before the L2 normalization.
namespace TaskVectors.Models;

/// <summary>The sequence summary a <see cref="TextTransformer"/> normalizes into its embedding.</summary>
public enum TextPooling
{
    /// <summary>BERT's pooler: tanh(h[:, 0]·Wᵀ + b), the "pooler_output" of Hugging Face's BertModel.</summary>
    Pooler,

    /// <summary>The first ([CLS]) token's hidden state h[:, 0], without the pooler.</summary>
    Cls,

    /// <summary>The mean of h over the tokens the attention mask keeps (padding excluded).</summary>
    Mean,
}
